use super::*;

#[test]
fn text_escapes_syntax() {
    assert_eq!(Md::text("a*b_c").as_str(), "a\\*b\\_c");
    assert_eq!(Md::text("<script>").as_str(), "\\<script\\>");
    assert_eq!(Md::text("1. first").as_str(), "1\\. first");
    assert_eq!(Md::text("- item").as_str(), "\\- item");
    assert_eq!(Md::text("line\nbreak").as_str(), "line break");
    assert_eq!(Md::text("a & b").as_str(), "a \\& b");
}

#[test]
fn code_spans_outgrow_backticks() {
    assert_eq!(Md::code("x").as_str(), "`x`");
    assert_eq!(Md::code("a`b").as_str(), "``a`b``");
    assert_eq!(Md::code("`a").as_str(), "`` `a ``");
    assert_eq!(Md::code("").as_str(), "*(empty)*");
}

#[test]
fn fences_outgrow_backticks() {
    assert_eq!(Md::fenced("json", "1").as_str(), "```json\n1\n```");
    assert_eq!(
        Md::fenced("text", "a ```` b").as_str(),
        "`````text\na ```` b\n`````"
    );
}

#[test]
fn markdown_neutralises_html_links_and_headings() {
    let md = Md::markdown(
        "# Title\nText <b>bold</b> and [x](javascript:alert(1)).\n\n<script>alert(1)</script>\n",
    );
    let s = md.as_str();
    assert!(
        s.starts_with("**Title**\n\nText &lt;b&gt;bold&lt;/b&gt; and x."),
        "{s}"
    );
    assert!(s.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{s}");
    let kept = Md::markdown("See [the site](https://example.com) and `<b>`.");
    assert_eq!(
        kept.as_str(),
        "See [the site](https://example.com) and `<b>`."
    );
    assert_eq!(
        Md::markdown("<javascript:alert(1)>").as_str(),
        "javascript:alert(1)"
    );
    assert_eq!(
        Md::markdown("[a](#x) [b](page.md#y)").as_str(),
        "a b",
        "relative links lead nowhere in a description"
    );
    assert_eq!(
        Md::overview("[a](#x) [b](page.md#y)").as_str(),
        "[a](#x) [b](page.md#y)"
    );
}

#[test]
fn open_fences_are_closed() {
    assert_eq!(Md::markdown("```\n</code>").as_str(), "```\n</code>\n```");
    assert_eq!(Md::markdown("~~~~\nx\n~~~").as_str(), "~~~~\nx\n~~~\n~~~~");
    assert_eq!(Md::markdown("```\nx\n```").as_str(), "```\nx\n```");
    assert_eq!(Md::markdown("``` a ` b").as_str(), "``` a ` b");
}

#[test]
fn cells_escape_pipes_once() {
    assert_eq!(Md::code("a|b").cell().as_str(), "`a\\|b`");
    assert_eq!(
        Md::trusted("one\n\ntwo | three").cell().as_str(),
        "one two \\| three"
    );
}

#[test]
fn slugs_follow_github() {
    let mut s = Slugger::default();
    assert_eq!(s.slug("Hello, World!"), "hello-world");
    assert_eq!(s.slug("Hello World"), "hello-world-1");
    assert_eq!(s.slug("hello-world-1"), "hello-world-1-1");
    assert_eq!(s.slug("createConversation"), "createconversation");
    assert_eq!(s.slug("foo_bar baz"), "foo_bar-baz");
    assert_eq!(s.slug("日本語"), "日本語");
}
