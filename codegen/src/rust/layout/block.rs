//! Declaration macros (`model! { .. }`), laid out as rustfmt lays out the items they look
//! like: prettyplease prints an unknown macro's tokens as one run.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use syn::ItemMacro;

/// The widest a line of the block gets before a signature is broken one argument a line.
const WIDTH: usize = 100;

/// The text of `path! { .. }` when its body is declarations: attributes one a line, each
/// `head { member, .. }` one member a line, each `head;` on a line of its own, a blank line
/// between declarations but not within a run of `head;` nor before a `head;` without
/// attributes. `None` for any other macro call.
pub(super) fn declarations(call: &ItemMacro, outer: &str) -> Option<String> {
    if !matches!(call.mac.delimiter, syn::MacroDelimiter::Brace(_)) {
        return None;
    }
    let path = call.mac.path.segments.iter().map(|s| s.ident.to_string());
    let mut out = outer.to_owned();
    out.push_str(&path.collect::<Vec<_>>().join("::"));
    out.push_str("! {\n");
    let mut head: Vec<TokenTree> = Vec::new();
    let mut tokens = call.mac.tokens.clone().into_iter();
    // The declaration being laid out, and whether the one before was a signature: a run of
    // signatures (a call's setters) stays together, as a run of `use` lines does.
    let mut current = String::new();
    let mut previous: Option<bool> = None;
    let mut end = |current: &mut String, signature: bool, out: &mut String| {
        // A signature without a doc comment (`model!`'s `new`) goes on from what is before it.
        let bare = !current.trim_start().starts_with(['#', '/']);
        if previous.is_some() && !(signature && (previous == Some(true) || bare)) {
            out.push('\n');
        }
        out.push_str(current);
        current.clear();
        previous = Some(signature);
    };
    while let Some(token) = tokens.next() {
        match token {
            TokenTree::Punct(p) if p.as_char() == '#' && head.is_empty() => {
                let Some(TokenTree::Group(attr)) = tokens.next() else {
                    return None;
                };
                attribute(&attr.stream(), "    ", &mut current);
            }
            TokenTree::Group(body)
                if body.delimiter() == Delimiter::Brace && is_function(&head) =>
            {
                head.push(TokenTree::Group(body));
                function(std::mem::take(&mut head), &mut current)?;
                end(&mut current, false, &mut out);
            }
            TokenTree::Group(body) if body.delimiter() == Delimiter::Brace => {
                current.push_str(&format!("    {} {{", text(head.drain(..))));
                members(body.stream(), &mut current);
                end(&mut current, false, &mut out);
            }
            TokenTree::Punct(p) if p.as_char() == ';' => {
                signature(&std::mem::take(&mut head), &mut current);
                end(&mut current, true, &mut out);
            }
            other => head.push(other),
        }
    }
    if !head.is_empty() || !current.is_empty() {
        return None;
    }
    out.push_str("}\n");
    Some(out)
}

/// Whether a declaration's head is a function's signature.
fn is_function(head: &[TokenTree]) -> bool {
    head.iter()
        .any(|t| matches!(t, TokenTree::Ident(i) if i == "fn"))
}

/// A function with a body: its signature on one line, as it declares more than it is
/// (a macro writes the whole signature); its body as prettyplease prints it.
fn function(mut tokens: Vec<TokenTree>, out: &mut String) -> Option<()> {
    let Some(TokenTree::Group(body)) = tokens.pop() else {
        return None;
    };
    let body = TokenStream::from(TokenTree::Group(body));
    let item: syn::Item = syn::parse2(quote::quote!(fn f() #body)).ok()?;
    let printed = prettyplease::unparse(&super::syntax::file(Vec::new(), vec![item]));
    out.push_str(&format!("    {} {{\n", text(tokens)));
    let mut lines: Vec<&str> = printed.lines().collect();
    // `fn f() {` and its `}`.
    lines.remove(0);
    lines.pop();
    for line in lines {
        if !line.is_empty() {
            out.push_str("    ");
        }
        out.push_str(line);
        out.push('\n');
    }
    out.push_str("    }\n");
    Some(())
}

/// The members of a `{ .. }` body, one a line at eight spaces, each after its attributes.
fn members(body: TokenStream, out: &mut String) {
    let members = split_commas(body);
    if members.is_empty() {
        out.push_str("}\n");
        return;
    }
    out.push('\n');
    for member in members {
        let mut rest = member.as_slice();
        while let [TokenTree::Punct(hash), TokenTree::Group(attr), after @ ..] = rest
            && hash.as_char() == '#'
        {
            attribute(&attr.stream(), "        ", out);
            rest = after;
        }
        out.push_str(&format!("        {},\n", text(rest.iter().cloned())));
    }
    out.push_str("    }\n");
}

/// The comma-separated parts of a list, where commas inside a type's `<..>` separate
/// nothing; no empty part for a trailing comma.
fn split_commas(list: TokenStream) -> Vec<Vec<TokenTree>> {
    let mut parts = Vec::new();
    let mut part: Vec<TokenTree> = Vec::new();
    let mut depth = 0usize;
    for token in list {
        match &token {
            TokenTree::Punct(p) if p.as_char() == ',' && depth == 0 => {
                parts.push(std::mem::take(&mut part));
                continue;
            }
            TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
            // The `>` of `=>` and `->` closes nothing.
            TokenTree::Punct(p) if p.as_char() == '>' && !after_arrow_start(&part) => {
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        part.push(token);
    }
    if !part.is_empty() {
        parts.push(part);
    }
    parts
}

/// Whether the last token starts an arrow, `=>` or `->`.
fn after_arrow_start(tokens: &[TokenTree]) -> bool {
    matches!(tokens.last(), Some(TokenTree::Punct(p))
        if p.spacing() == Spacing::Joint && matches!(p.as_char(), '=' | '-'))
}

/// `head;` on one line, or with its argument list one a line when that is too wide.
fn signature(head: &[TokenTree], out: &mut String) {
    let line = format!("    {};", text(head.iter().cloned()));
    let args = head
        .iter()
        .rposition(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis));
    let (Some(at), true) = (args, line.len() > WIDTH) else {
        out.push_str(&line);
        out.push('\n');
        return;
    };
    let TokenTree::Group(list) = &head[at] else {
        return;
    };
    out.push_str(&format!("    {}(\n", text(head[..at].iter().cloned())));
    for arg in split_commas(list.stream()) {
        out.push_str(&format!("        {},\n", text(arg)));
    }
    out.push_str(&format!("    ){};\n", text(head[at + 1..].iter().cloned())));
}

/// An attribute line: a doc comment as `///`, anything else as `#[..]`.
fn attribute(inside: &TokenStream, indent: &str, out: &mut String) {
    let mut parts = inside.clone().into_iter();
    if let (
        Some(TokenTree::Ident(name)),
        Some(TokenTree::Punct(eq)),
        Some(TokenTree::Literal(lit)),
        None,
    ) = (parts.next(), parts.next(), parts.next(), parts.next())
        && name == "doc"
        && eq.as_char() == '='
        && let syn::Lit::Str(doc) = syn::Lit::new(lit)
        && !doc.value().contains('\n')
    {
        out.push_str(&format!("{indent}///{}\n", doc.value().trim_end()));
        return;
    }
    out.push_str(&format!("{indent}#[{}]\n", text(inside.clone())));
}

/// Tokens as rustfmt spaces them in types, paths and signatures: `Option<&'a str>`,
/// `types::Pet`, `with_tag(impl Into<String>)`, `= optional "tag" => with_tag(..)`.
pub(super) fn text(tokens: impl IntoIterator<Item = TokenTree>) -> String {
    let mut out = String::new();
    write(tokens, &mut out);
    out
}

fn write(tokens: impl IntoIterator<Item = TokenTree>, out: &mut String) {
    let mut prev: Option<TokenTree> = None;
    // After the second colon of `::`, which is not joint.
    let mut path = false;
    for token in tokens {
        if let Some(prev) = &prev
            && !path
            && spaced(prev, &token)
        {
            out.push(' ');
        }
        path = matches!((&prev, &token), (Some(TokenTree::Punct(a)), TokenTree::Punct(b))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':');
        match &token {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{ ", " }"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(open);
                write(group.stream(), out);
                out.push_str(close);
            }
            other => out.push_str(&other.to_string()),
        }
        prev = Some(token);
    }
}

/// Whether a space goes between two tokens.
fn spaced(prev: &TokenTree, next: &TokenTree) -> bool {
    match (prev, next) {
        (TokenTree::Punct(p), _) if p.spacing() == Spacing::Joint => false,
        (TokenTree::Punct(p), _) if matches!(p.as_char(), '<' | '&' | '#' | '!') => false,
        // A path from the root after a comma or a colon: `a: ::std::string::String`.
        (TokenTree::Punct(_), TokenTree::Punct(n))
            if n.as_char() == ':' && n.spacing() == Spacing::Joint =>
        {
            true
        }
        (_, TokenTree::Punct(p)) => !matches!(p.as_char(), ',' | ';' | ':' | '<' | '>' | '!'),
        (TokenTree::Ident(_), TokenTree::Group(g)) => g.delimiter() != Delimiter::Parenthesis,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::{signature, text};

    #[test]
    fn a_signature_too_wide_for_a_line_takes_one_argument_a_line() {
        let head: proc_macro2::TokenStream =
            "pub fn with_invitation_source(invitation_source: &'a types::OrgsListPendingInvitationsInvitationSource, b: BTreeMap<String, i64>)"
                .parse()
                .unwrap();
        let mut out = String::new();
        signature(&head.into_iter().collect::<Vec<_>>(), &mut out);
        let expected = "    pub fn with_invitation_source(\n        invitation_source: &'a types::OrgsListPendingInvitationsInvitationSource,\n        b: BTreeMap<String, i64>,\n    );\n";
        assert_eq!(out, expected);
        let mut out = String::new();
        let short: proc_macro2::TokenStream = "pub fn with_a(a: i64)".parse().unwrap();
        signature(&short.into_iter().collect::<Vec<_>>(), &mut out);
        assert_eq!(out, "    pub fn with_a(a: i64);\n");
    }

    #[test]
    fn types_and_signatures_are_spaced_as_rustfmt_spaces_them() {
        let cases = [
            ("Option < & 'a str >", "Option<&'a str>"),
            ("Option<Option<types::Pet>>", "Option<Option<types::Pet>>"),
            ("& 'a [i64]", "&'a [i64]"),
            (
                "BTreeMap<String, serde_json::Value>",
                "BTreeMap<String, serde_json::Value>",
            ),
            (
                "pub tag: Option<String> = optional \"tag\" read_only => with_tag(impl Into<String>)",
                "pub tag: Option<String> = optional \"tag\" read_only => with_tag(impl Into<String>)",
            ),
            (
                "pub fn new(a: i64, b: ::std::string::String)",
                "pub fn new(a: i64, b: ::std::string::String)",
            ),
            ("derive(Clone, Debug)", "derive(Clone, Debug)"),
        ];
        for (source, expected) in cases {
            let tokens: proc_macro2::TokenStream = source.parse().unwrap();
            assert_eq!(text(tokens), expected, "{source}");
        }
    }
}
