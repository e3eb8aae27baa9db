//! The docs back-end: the Markdown reference and the HTML page rendered from the IR of the
//! Autessa schema, of the fixture specs and of a deliberately hostile spec.
//!
//! - a snapshot of the `operations` fixture's Markdown, and concrete checks of its content;
//! - flagged vendor extensions are visibly flagged;
//! - hostile text never becomes markup, in the Markdown or in the HTML;
//! - the HTML page opened in a real headless Chromium: every operation and message heading
//!   is there and every internal link resolves;
//! - every JSON example shown validates against its schema (independent validator);
//! - every Rust example compiles (`docs/rust_examples.rs`, a checked-in copy that must match).
//!
//! Snapshots are refreshed with `UPDATE_DOCS_SNAPSHOTS=1 cargo test -p autessa-tests --test docs`.

#[path = "docs/rust_examples.rs"]
mod rust_examples;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use autessa_codegen::docs::{self, DocsConfig, markdown};
use autessa_codegen::ir::{Api, TypeKind, TypeRef};
use autessa_codegen::{Flags, GeneratedFile};
use autessa_tests::browser;
use autessa_tests::mock::SchemaValidator;
use autessa_tools::workspace_root;
use serde_json::{Value, json};
use xtask::generation::{COMMAND, INFERRED_NOTE, Target, targets};

const UPDATE: &str = "UPDATE_DOCS_SNAPSHOTS";

/// The note the hostile spec's flag produces (itself hostile).
const EVIL_NOTE: &str = "Inferred <script>alert('note')</script> | not documented";

fn docs_config(target: &Target) -> DocsConfig {
    let overview = if target.name == "autessa" {
        std::fs::read_to_string(workspace_root().join("schema/docs-overview.md")).unwrap()
    } else {
        String::new()
    };
    DocsConfig {
        crate_name: target.config.rust.crate_name.clone(),
        overview,
        command: COMMAND.into(),
        changelog: None,
    }
}

fn target(name: &str) -> Target {
    targets()
        .into_iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no target `{name}`"))
}

/// The hostile spec of this test, with a flag whose note is hostile too.
fn evil_target() -> Target {
    // Built from a fixture's target, so that new fields keep their defaults.
    let mut t = target("operations");
    t.name = "evil".into();
    t.out = PathBuf::from("unused");
    t.config.openapi = Some(workspace_root().join("tests/tests/docs/evil.yaml"));
    t.config.asyncapi = None;
    t.config.flags = Flags(vec![("x-inferred".into(), EVIL_NOTE.into())]);
    t.config.rust.crate_name = "evil-api".into();
    t.config.rust.env_prefix = "EVIL".into();
    t
}

struct Rendered {
    api: Api,
    files: Vec<GeneratedFile>,
}

impl Rendered {
    fn of(target: &Target) -> Rendered {
        Rendered::with(target, &docs_config(target))
    }

    fn with(target: &Target, config: &DocsConfig) -> Rendered {
        let api = autessa_codegen::load_api(&target.config)
            .unwrap_or_else(|e| panic!("loading `{}`: {e}", target.name));
        let files =
            docs::emit(&api, config).unwrap_or_else(|e| panic!("docs of `{}`: {e}", target.name));
        Rendered { api, files }
    }

    fn file(&self, name: &str) -> &str {
        self.files
            .iter()
            .find(|f| f.path == Path::new(name))
            .map(|f| f.contents.as_str())
            .unwrap_or_else(|| panic!("no {name} among {:?}", self.names()))
    }

    fn names(&self) -> Vec<String> {
        self.files
            .iter()
            .map(|f| f.path.display().to_string())
            .collect()
    }

    fn markdown(&self) -> impl Iterator<Item = &GeneratedFile> {
        self.files
            .iter()
            .filter(|f| f.path.extension().is_some_and(|e| e == "md"))
    }

    fn html(&self) -> &str {
        self.file(docs::HTML_FILE)
    }

    fn all_markdown(&self) -> String {
        self.markdown().map(|f| f.contents.as_str()).collect()
    }
}

/// The part of a Markdown page from the heading `heading` to the next heading of the same
/// or a higher level.
fn section<'a>(page: &'a str, heading: &str) -> &'a str {
    let level = heading.chars().take_while(|&c| c == '#').count();
    let start = page
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("no heading `{heading}`"))
        + 1;
    let rest = &page[start + heading.len()..];
    let end = rest
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .find(|&i| {
            let hashes = rest[i..].chars().take_while(|&c| c == '#').count();
            (1..=level).contains(&hashes) && rest[i + hashes..].starts_with(' ')
        })
        .unwrap_or(rest.len());
    &page[start..start + heading.len() + end]
}

// ------------------------------------------------------------------ snapshot and content

#[test]
fn operations_fixture_snapshot() {
    let rendered = Rendered::of(&target("operations"));
    let dir = workspace_root().join("tests/tests/docs/operations");
    let mut stale = Vec::new();
    for file in rendered.markdown() {
        let path = dir.join(&file.path);
        if std::env::var_os(UPDATE).is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &file.contents).unwrap();
        }
        match std::fs::read_to_string(&path) {
            Ok(on_disk) if on_disk == file.contents => {}
            Ok(on_disk) => stale.push(format!(
                "{}:\n{}",
                path.display(),
                xtask::generation::line_diff(&on_disk, &file.contents)
            )),
            Err(_) => stale.push(format!("{} is missing", path.display())),
        }
    }
    assert!(
        stale.is_empty(),
        "the docs snapshot is stale; run `{UPDATE}=1 cargo test -p autessa-tests --test docs` \
         and review the diff:\n{}",
        stale.join("\n")
    );
}

#[test]
fn operations_fixture_reference_shows_every_operation_in_full() {
    let r = Rendered::of(&target("operations"));
    assert_eq!(
        r.names(),
        ["README.md", "operations.md", "types.md", "reference.html"]
    );
    for file in &r.files {
        assert!(
            file.contents
                .starts_with("<!-- @generated by `cargo xtask codegen`. Do not edit")
                || file.contents.starts_with(
                    "<!DOCTYPE html>\n<!-- @generated by `cargo xtask codegen`. Do not edit"
                ),
            "{}",
            file.path.display()
        );
    }
    let ops = r.file("operations.md");
    let readme = r.file("README.md");
    for op in &r.api.operations {
        if op.id.chars().all(|c| c.is_ascii_alphanumeric()) {
            assert!(ops.contains(&format!("\n## {}\n", op.id)), "{}", op.id);
            let anchor = op.id.to_lowercase();
            assert!(
                readme.contains(&format!("[{}](operations.md#{anchor})", op.id)),
                "{}",
                op.id
            );
        }
    }
    // The operation without an id: its heading is the escaped method and path.
    assert!(ops.contains("\n## get /users/\\{user id\\}/files/\\{path\\}\n"));

    let list = section(ops, "## listItems");
    assert!(list.contains("**GET** `/items`\n\nList items\n"));
    assert!(list.contains(
        "| Name | In | Type | Required | Description |\n|---|---|---|---|---|\n\
         | `X-Trace-Id` | header | string | no | A correlation id echoed in logs. |\n\
         | `limit` | query | integer (int32) | no |  |\n\
         | `tags` | query | array of string | no |  |\n\
         | `order` | query | [ListItemsOrder](types.md#listitemsorder) | no |  |\n"
    ));
    assert!(list.contains(
        "| `200` | A page of items. | array of [Item](types.md#item) as `application/json` |"
    ));
    assert!(
        list.contains(
            "| `X-Remaining` | integer (int64) | Requests left in this window. | `200` |"
        )
    );
    assert!(list.contains("A JSON array of [Item](types.md#item); each item:"));
    assert!(list.contains("| `id` | integer (int64) | yes |  |"));
    assert!(list.contains("client.list_items().await?;"));
    assert!(list.contains("Safe to retry"));

    let create = section(ops, "## createItem");
    assert!(create.contains("**Request body (`application/json`, required)**"));
    assert!(create.contains("[NewItem](types.md#newitem), a JSON object:"));
    assert!(create.contains("| `name` | string | yes |  |"));
    assert!(create.contains("Example (made up from the schema, which gives none):"));
    assert!(
        create
            .contains("| `409` | Conflict. | [Problem](types.md#problem) as `application/json` |")
    );
    assert!(create.contains("Not safe to retry blindly"));
    assert!(create.contains(
        "    let client = fixture_operations::Client::new(\"https://api.example.com/v2\", \"YOUR_API_KEY\")?;\n\
         \x20   let body = fixture_operations::types::NewItem::new(\"string\".to_owned());\n\
         \x20   let response = client.create_item(&body).await?;\n"
    ));

    let get = section(ops, "## getItem");
    assert!(get.contains("| `itemId` | path | integer (int64) | yes |  |"));
    assert!(get.contains("| `404` | Not found. | none |"));
    assert!(get.contains("client.get_item(1).await?"));

    let upload = section(ops, "## uploadContent");
    assert!(
        upload.contains("**Request body (`application/octet-stream`, optional)**\n\nRaw bytes.")
    );
    assert!(upload.contains("client.upload_content(1, Some(std::fs::read(\"body.bin\")?.into()))"));

    let search = section(ops, "## search");
    assert!(search.contains("**Request body (`application/x-www-form-urlencoded`, optional)**"));
    assert!(search.contains("| `cursor` | string or null | no |  |"));

    let health = section(ops, "## health");
    assert!(health.contains("Authentication: none."));
    assert!(health.contains("No credentials; no operationId collisions."));

    let types = r.file("types.md");
    let item = section(types, "## Item");
    assert!(item.contains("| `id` | integer (int64) | yes |  |\n| `name` | string | yes |  |"));
    assert!(item.contains("Rust: `fixture_operations::types::Item`."));
    let order = section(types, "## ListItemsOrder");
    assert!(order.contains("| `\"asc\"` |\n| `\"desc\"` |"));

    assert!(readme.starts_with(
        "<!-- @generated by `cargo xtask codegen`. Do not edit: change the schema and regenerate. -->\n\n\
         # Operations fixture\n\nAPI version `2.0.0-beta`.\n"
    ));
    assert!(readme.contains("| `https://api.example.com/v2` |  |"));
    assert!(readme.contains("| `bearer` | A bearer token: `Authorization: Bearer <token>`. |  |"));
}

#[test]
fn autessa_reference_has_every_operation_channel_and_message() {
    let r = Rendered::of(&target("autessa"));
    assert_eq!(
        r.names(),
        [
            "README.md",
            "agents.md",
            "tools.md",
            "autessadb.md",
            "channels.md",
            "types.md",
            "reference.html"
        ]
    );
    let all = r.all_markdown();
    for op in &r.api.operations {
        assert!(all.contains(&format!("\n## {}\n", op.id)), "{}", op.id);
        assert!(
            all.contains(&format!(
                "client.{}(",
                autessa_codegen::docs::method_name(op)
            )),
            "{}",
            op.id
        );
    }
    let channels = r.file("channels.md");
    for c in &r.api.channels {
        let part = section(channels, &format!("## {}", c.id));
        for m in c.outgoing.iter().chain(&c.incoming) {
            assert!(part.contains(&format!("\n### {}\n", m.id)), "{}", m.id);
        }
        for p in &c.params {
            assert!(part.contains(&format!("| `{}` |", p.wire)), "{}", p.wire);
        }
    }
    let agent = section(channels, "## agentExecute");
    let status = section(agent, "### ConnectionStatus");
    assert!(status.contains("*Server → client*"));
    assert!(status.contains("Recognised by its `messageType` member, which is `\"STATUS\"`."));
    let streamed = section(agent, "### StreamedOutputMessage");
    assert!(streamed.contains("Recognised by having a `streamedOutput` member"));
    let audio = section(agent, "### AudioFrame");
    assert!(audio.contains("*Client → server*"));
    assert!(audio.contains("a binary frame"));
    assert!(agent.contains(
        "- Authentication: An API key, sent as is in the `authorization` query parameter."
    ));

    // Rust examples, made from the channels' messages (compiled by `rust_examples_compile`).
    let examples = docs::examples(&r.api, &docs_config(&target("autessa"))).unwrap();
    for c in &r.api.channels {
        let part = section(channels, &format!("## {}", c.id));
        let mine: Vec<_> = examples
            .rust
            .iter()
            .filter(|e| e.operation_id == c.id)
            .collect();
        assert!(!mine.is_empty(), "{}", c.id);
        for e in mine {
            assert!(
                part.contains(&format!("```rust\n{}\n```", e.code)),
                "{}",
                e.function
            );
            assert!(
                e.code
                    .contains(&format!("client.connect_{}(&params)", c.name))
            );
            // Matches over reply parts keep a catch-all arm: more kinds of part may come.
            if e.code.contains("match part? {") {
                assert!(
                    e.code.contains("other => println!(\"{other:?}\"),"),
                    "{}",
                    e.code
                );
            }
        }
    }
    // A text turn: a typed message built through its constructor, the reply streamed.
    let text = section(agent, "**Rust examples**");
    assert!(text.contains("let message = types::ExecuteMessage::new("));
    assert!(text.contains("types::AgentInput::Text(types::TextInput::new("));
    assert!(text.contains("connection.request_execute_message(&message).await?;"));
    assert!(text.contains("AgentExecuteReply::StreamedOutputMessage(chunk) =>"));
    // A voice turn: voice mode on, the setup message, PCM frames, the reply.
    assert!(text.contains(
        "Connect with `voiceModeEnabled=true`, send `VoiceSetupMessage`, stream `AudioFrame`"
    ));
    assert!(text.contains("params.voice_mode_enabled = Some(true);"));
    assert!(text.contains("connection.send_voice_setup_message(&voice_setup_message).await?;"));
    assert!(text.contains("connection.sender().send_pcm_reader(data.as_slice(), 640).await?;"));
    assert!(text.contains("let reply = connection.reply();"));
    // A tool run with its debugging lines printed as they arrive, then the result.
    let tool = section(channels, "## toolExecute");
    assert!(tool.contains(".with_debug(true);"));
    assert!(
        tool.contains("ToolExecuteReply::ToolDebugMessage(chunk) => println!(\"{}\", chunk.line),")
    );
    assert!(
        tool.contains("ToolExecuteReply::ToolResultMessage(result) => println!(\"{result:?}\"),")
    );

    // The overview is the configured text, after the schema's description.
    let readme = r.file("README.md");
    for heading in [
        "## Hosts",
        "## Authentication",
        "## The resource id",
        "## The response envelope",
        "## Errors and statuses",
        "## Rate limits",
        "## Retries",
        "## Versioning",
        "## Conversations",
        "## WebSocket connections",
    ] {
        assert!(readme.contains(&format!("\n{heading}\n")), "{heading}");
    }
    assert!(readme.contains("[createConversation](agents.md#createconversation)"));
}

#[test]
fn the_generator_stays_general() {
    // Nothing about Autessa comes from the generator: a fixture's reference never names it.
    for name in [
        "operations",
        "objects",
        "unions",
        "refs",
        "hostile",
        "openapi31",
    ] {
        let r = Rendered::of(&target(name));
        for file in &r.files {
            assert!(
                !file.contents.to_lowercase().contains("autessa"),
                "{name}/{}",
                file.path.display()
            );
        }
    }
}

#[test]
fn output_is_deterministic() {
    for t in [target("autessa"), target("hostile"), evil_target()] {
        let first = Rendered::of(&t).files;
        let second = Rendered::of(&t).files;
        assert_eq!(first, second, "{}", t.name);
    }
}

// ------------------------------------------------------------------ flags

#[test]
fn flagged_items_are_visibly_flagged() {
    let r = Rendered::of(&target("autessa"));
    let note = format!("⚠️ **Note:** {}", markdown::Md::markdown(INFERRED_NOTE));
    let mut checked = 0;
    for (i, op) in r.api.operations.iter().enumerate() {
        let page = r
            .markdown()
            .find(|f| f.contents.contains(&format!("\n## {}\n", op.id)))
            .unwrap_or_else(|| panic!("no page for {i}"));
        let part = section(&page.contents, &format!("## {}", op.id));
        if op.docs.flags.is_empty() {
            assert!(
                !part.contains(&format!("> {note}")),
                "{} is not flagged",
                op.id
            );
        } else {
            assert!(part.contains(&format!("> {note}")), "{}", op.id);
            checked += 1;
        }
    }
    let channels = r.file("channels.md");
    for c in &r.api.channels {
        let part = section(channels, &format!("## {}", c.id));
        for m in c.outgoing.iter().chain(&c.incoming) {
            let msg = section(part, &format!("### {}", m.id));
            assert_eq!(
                msg.contains(&format!("> {note}")),
                !m.docs.flags.is_empty(),
                "{}",
                m.id
            );
            checked += 1;
        }
    }
    let types = r.file("types.md");
    for def in &r.api.types {
        let part = section(types, &format!("## {}", def.name));
        assert_eq!(
            part.contains(&format!("> {note}")),
            !def.docs.flags.is_empty(),
            "{}",
            def.name
        );
        if let TypeKind::Struct(s) = &def.kind {
            for f in s.fields.iter().filter(|f| !f.flatten) {
                let row = part
                    .lines()
                    .find(|l| l.starts_with(&format!("| `{}` |", f.wire)))
                    .unwrap_or_else(|| panic!("{}.{}", def.name, f.wire));
                assert_eq!(
                    row.contains(&note),
                    !f.docs.flags.is_empty(),
                    "{}.{}",
                    def.name,
                    f.wire
                );
                checked += usize::from(!f.docs.flags.is_empty());
            }
        }
    }
    assert!(checked > 20, "only {checked} flagged items");
    // In the HTML the note is a highlighted block quote.
    assert!(r.html().contains(
        "<blockquote>\n<p>⚠️ <strong>Note:</strong> Not confirmed by the public API reference"
    ));
}

// ------------------------------------------------------------------ hostile specs

/// Every tag and attribute in an HTML text; `<` in text is always escaped, so each `<`
/// opens a tag, a comment or the doctype.
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            let end = comment.find("-->").expect("an unterminated comment");
            out.push(("!--".to_owned(), Vec::new()));
            rest = &comment[end + 3..];
            continue;
        }
        let closing = rest.starts_with('/');
        let from = usize::from(closing);
        let name_end = rest[from..]
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .map_or(rest.len(), |i| i + from);
        let name = rest[from..name_end].to_ascii_lowercase();
        if name == "!doctype" {
            out.push((name, Vec::new()));
            rest = &rest[rest.find('>').unwrap_or(rest.len())..];
            continue;
        }
        let name = if closing { format!("/{name}") } else { name };
        let mut attrs = Vec::new();
        let mut body = &rest[name_end.min(rest.len())..];
        loop {
            body = body.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
            if body.starts_with('>') || body.is_empty() {
                break;
            }
            let key_end = body
                .find(|c: char| c.is_whitespace() || c == '=' || c == '>')
                .unwrap_or(body.len());
            let key = body[..key_end].to_ascii_lowercase();
            body = &body[key_end..];
            let mut value = String::new();
            if let Some(after) = body.strip_prefix('=') {
                let quote = after.chars().next().unwrap_or(' ');
                if quote == '"' || quote == '\'' {
                    let end = after[1..].find(quote).expect("unterminated attribute") + 1;
                    value = after[1..end].to_owned();
                    body = &after[end + 1..];
                } else {
                    let end = after
                        .find(|c: char| c.is_whitespace() || c == '>')
                        .unwrap_or(after.len());
                    value = after[..end].to_owned();
                    body = &after[end..];
                }
            }
            attrs.push((key, value));
        }
        out.push((name, attrs));
        rest = body;
    }
    out
}

/// Tags and attributes a reference page may contain.
fn assert_only_safe_markup(html: &str, what: &str) {
    const TAGS: &[&str] = &[
        "!doctype",
        "!--",
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "nav",
        "main",
        "section",
        "p",
        "ul",
        "ol",
        "li",
        "a",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "code",
        "pre",
        "blockquote",
        "strong",
        "em",
        "del",
        "hr",
        "br",
        // The search: its form, its index (a JSON data block) and its script.
        "form",
        "input",
        "script",
        "span",
    ];
    const ATTRS: &[&str] = &[
        "id",
        "class",
        "href",
        "lang",
        "charset",
        "name",
        "content",
        "http-equiv",
        "aria-label",
        "style",
        "start",
        "title",
        "role",
        "hidden",
        "type",
        "placeholder",
        "autocomplete",
        "aria-live",
    ];
    let mut styles = 0;
    let mut scripts = Vec::new();
    for (name, attrs) in tags(html) {
        let bare = name.trim_start_matches('/');
        assert!(TAGS.contains(&bare), "{what}: a <{name}> tag");
        if name == "style" {
            styles += 1;
        }
        if name == "script" {
            scripts.push(attrs.clone());
        }
        for (key, value) in attrs {
            assert!(
                ATTRS.contains(&key.as_str()),
                "{what}: <{name} {key}={value:?}>"
            );
            if key == "href" {
                assert!(
                    value.starts_with('#')
                        || value.starts_with("https://")
                        || value.starts_with("http://")
                        || value.starts_with("mailto:"),
                    "{what}: href={value:?}"
                );
            }
            if key == "style" {
                assert!(value.starts_with("text-align"), "{what}: style={value:?}");
            }
        }
    }
    assert_eq!(styles, 1, "{what}: only the page's own style sheet");
    // The search's index (data, never run) and its script, nothing else.
    let index = vec![
        ("type".to_owned(), "application/json".to_owned()),
        ("id".to_owned(), "search-index".to_owned()),
    ];
    assert_eq!(
        scripts,
        [index, vec![]],
        "{what}: only the search's scripts"
    );
}

#[test]
fn hostile_specs_cannot_inject_markup() {
    for t in [evil_target(), target("hostile")] {
        let mut config = docs_config(&t);
        config.command = "cargo xtask codegen --> <script>alert('cmd')</script>".into();
        let r = Rendered::with(&t, &config);
        for file in r.markdown() {
            let header_end = file.contents.find("-->\n").unwrap() + 4;
            let header = &file.contents[..header_end];
            assert_eq!(header.matches("-->").count(), 1, "{}", file.path.display());
            assert!(!header.contains("<script"), "{header}");
            assert_eq!(
                markdown::audit(&file.contents[header_end..]),
                Vec::<String>::new(),
                "{}/{}",
                t.name,
                file.path.display()
            );
        }
        assert_only_safe_markup(r.html(), &t.name);
    }

    let r = Rendered::of(&evil_target());
    let html = r.html();
    // The text is all there, as text.
    for text in [
        "Evil &lt;script&gt;alert('title')&lt;/script&gt; &amp; co",
        "&lt;script&gt;alert(\"description\")&lt;/script&gt;",
        "&lt;img src=\"https://tracker.example/pixel.png\" onerror=\"alert(1)\"&gt;",
        "evil&lt;script&gt;alert(5)&lt;/script&gt;",
        "&lt;svg onload=alert(7)&gt;",
        "&lt;/code&gt;&lt;script&gt;alert(3)&lt;/script&gt;",
        "| breaks | the table &lt;script&gt;alert(8)&lt;/script&gt;",
        "Inferred &lt;script&gt;alert('note')&lt;/script&gt; | not documented",
        "&lt;/code&gt;&lt;script&gt;alert(13)&lt;/script&gt;",
        "&lt;style&gt;body{display:none}&lt;/style&gt;",
    ] {
        assert!(html.contains(text), "missing {text:?}");
    }
    // Unsafe links keep their text only; remote images become links; headings in
    // descriptions are not headings.
    assert!(html.contains("click and javascript:alert(2) and "));
    assert!(html.contains("<a href=\"https://tracker.example/i.png\">pixel</a>"));
    assert!(html.contains("<strong>A heading inside a description</strong>"));
    assert!(html.contains("<strong>Not a heading</strong>"));
    let md = r.file("b-tag-b-pipe.md");
    assert!(md.contains("| `id` | path | string | yes | \\| breaks \\| the table"));
    let types = r.file("types.md");
    assert!(types.contains("| `\"<script>\"` |\n| ``\"a`b\"`` |\n| `\"\\|\"` |"));
}

// ------------------------------------------------------------------ the page in Chromium

/// Decodes the entities Chromium writes when serialising text and attributes.
fn decode(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// `(tag, id, text)` of every heading in the DOM, with the text's markup removed.
fn headings(dom: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for level in 1..=6 {
        let open = format!("<h{level} id=\"");
        let close = format!("</h{level}>");
        let mut rest = dom;
        while let Some(at) = rest.find(&open) {
            rest = &rest[at + open.len()..];
            let id_end = rest.find('"').unwrap();
            let id = decode(&rest[..id_end]);
            let body_start = rest.find('>').unwrap() + 1;
            let body_end = rest.find(&close).unwrap();
            let mut text = String::new();
            let mut in_tag = false;
            for c in rest[body_start..body_end].chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            out.push((format!("h{level}"), id, decode(&text)));
            rest = &rest[body_end..];
        }
    }
    out
}

fn attribute_values(dom: &str, name: &str) -> Vec<String> {
    let needle = format!(" {name}=\"");
    dom.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &dom[i + needle.len()..];
            decode(&rest[..rest.find('"').unwrap()])
        })
        .collect()
}

fn check_in_chromium(name: &str, r: &Rendered) {
    let dir = std::env::temp_dir().join(format!("autessa-docs-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join(docs::HTML_FILE);
    std::fs::write(&page, r.html()).unwrap();
    let dom = browser::dump_dom(&page).unwrap_or_else(|e| panic!("{name}: {e}"));
    let _ = std::fs::remove_dir_all(&dir);

    assert!(
        dom.contains("<nav id=\"toc\""),
        "{name}: no table of contents"
    );
    assert_only_safe_markup(&dom, &format!("{name} (DOM)"));
    let headings = headings(&dom);
    let ids: BTreeSet<String> = attribute_values(&dom, "id").into_iter().collect();
    assert_eq!(
        ids.len(),
        attribute_values(&dom, "id").len(),
        "{name}: duplicate ids"
    );
    let has = |tag: &str, text: &str| headings.iter().any(|(t, _, x)| t == tag && x == text);
    for op in &r.api.operations {
        let text = op.id.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            has("h2", &text),
            "{name}: no heading for operation {:?}",
            op.id
        );
    }
    for c in &r.api.channels {
        assert!(has("h2", &c.id), "{name}: no heading for channel {}", c.id);
        for m in c.outgoing.iter().chain(&c.incoming) {
            assert!(has("h3", &m.id), "{name}: no heading for message {}", m.id);
        }
    }
    for def in &r.api.types {
        assert!(
            has("h2", &def.name),
            "{name}: no heading for type {}",
            def.name
        );
    }
    let mut internal = 0;
    for href in attribute_values(&dom, "href") {
        if let Some(target) = href.strip_prefix('#') {
            assert!(
                ids.contains(target),
                "{name}: the link {href:?} leads nowhere"
            );
            internal += 1;
        }
    }
    // Every heading is in the table of contents, down to level 3.
    let toc_start = dom.find("<nav id=\"toc\"").unwrap();
    let toc = &dom[toc_start..toc_start + dom[toc_start..].find("</nav>").unwrap()];
    let toc_links: BTreeSet<String> = attribute_values(toc, "href").into_iter().collect();
    for (tag, id, _) in &headings {
        if ["h1", "h2", "h3"].contains(&tag.as_str()) {
            assert!(
                toc_links.contains(&format!("#{id}")),
                "{name}: {id} not in the contents"
            );
        }
    }
    assert!(
        internal >= headings.len(),
        "{name}: only {internal} internal links"
    );
}

#[test]
#[ignore = "needs the pinned tools: cargo xtask test"]
fn reference_page_works_in_chromium() {
    let mut all: Vec<Target> = targets();
    all.push(evil_target());
    for t in all {
        let r = Rendered::of(&t);
        check_in_chromium(&t.name, &r);
    }
}

// ------------------------------------------------------------------ JSON examples

/// An OpenAPI 3.0 schema for a use of a type, or `None` when the type's schema is not in
/// `root` (a type written in another file).
fn schema_of(api: &Api, ty: &TypeRef, root: &Path) -> Option<Value> {
    Some(match ty {
        TypeRef::Named(id) => {
            let origin = &api.ty(*id).origin;
            if std::fs::canonicalize(origin.file()).ok()? != std::fs::canonicalize(root).ok()? {
                return None;
            }
            json!({ "$ref": format!("#{}", origin.pointer) })
        }
        TypeRef::Primitive(p) => {
            use autessa_codegen::ir::Primitive::*;
            match p {
                String | Binary | Base64 | Uri | Uuid => json!({"type": "string"}),
                DateTime => json!({"type": "string", "format": "date-time"}),
                Date => json!({"type": "string", "format": "date"}),
                Boolean => json!({"type": "boolean"}),
                I32 | I64 => json!({"type": "integer"}),
                U64 => json!({"type": "integer", "minimum": 0}),
                F32 | F64 => json!({"type": "number"}),
            }
        }
        TypeRef::Array(item) => json!({"type": "array", "items": schema_of(api, item, root)?}),
        TypeRef::Map(value) => {
            json!({"type": "object", "additionalProperties": schema_of(api, value, root)?})
        }
        TypeRef::Nullable(inner) => {
            json!({"allOf": [schema_of(api, inner, root)?], "nullable": true})
        }
        TypeRef::Any => json!({}),
    })
}

/// The JSON blocks of a Markdown page.
fn json_blocks(markdown: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        let fence: String = line.chars().take_while(|&c| c == '`').collect();
        if fence.len() >= 3 && line[fence.len()..].trim() == "json" {
            let mut text = String::new();
            for inner in lines.by_ref() {
                if inner.trim_end() == fence {
                    break;
                }
                text.push_str(inner);
                text.push('\n');
            }
            out.push(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")));
        }
    }
    out
}

#[test]
fn every_json_example_matches_its_schema() {
    let mut all: Vec<Target> = targets();
    all.push(evil_target());
    for t in all {
        let root = t.config.openapi.clone().unwrap();
        let api = autessa_codegen::load_api(&t.config).unwrap();
        let config = docs_config(&t);
        let examples = docs::examples(&api, &config).unwrap();
        let mut document: Value =
            serde_yaml::from_str(&std::fs::read_to_string(&root).unwrap()).unwrap();
        let mut pointers = Vec::new();
        for (i, example) in examples.json.iter().enumerate() {
            match schema_of(&api, &example.ty, &root) {
                Some(schema) => {
                    let key = format!("__docs_example_{i}");
                    document["components"]["schemas"][&key] = schema;
                    pointers.push(Some(format!("#/components/schemas/{key}")));
                }
                None => pointers.push(None),
            }
        }
        let uri = format!("file://{}", std::fs::canonicalize(&root).unwrap().display());
        let validator = SchemaValidator::from_openapi(document, &uri).unwrap();
        let mut failures = Vec::new();
        let mut validated = 0;
        for (example, pointer) in examples.json.iter().zip(&pointers) {
            let Some(pointer) = pointer else { continue };
            validated += 1;
            if let Err(errors) = validator.validate(pointer, &example.value) {
                failures.push(format!(
                    "{} ({}): {}\n{}",
                    example.context,
                    if example.synthesized {
                        "made up"
                    } else {
                        "from the schema"
                    },
                    errors.join("; "),
                    example.value
                ));
            }
        }
        assert!(failures.is_empty(), "{}:\n{}", t.name, failures.join("\n"));
        if t.name == "autessa" {
            assert_eq!(validated, examples.json.len(), "every example was checked");
            assert!(validated > 40, "only {validated} examples");
        }

        // Every JSON block of the reference is one of those examples, except the
        // overview's, which must each be a valid instance of some named schema.
        let pages = docs::markdown_pages(&api, &config).unwrap();
        for (file, page) in pages {
            for block in json_blocks(&page) {
                if examples.json.iter().any(|e| e.value == block) {
                    continue;
                }
                assert_eq!(
                    file, "README.md",
                    "{}: an unchecked example in {file}",
                    t.name
                );
                let matches: Vec<String> = api
                    .types
                    .iter()
                    .filter(|def| {
                        validator
                            .validate(&format!("#{}", def.origin.pointer), &block)
                            .is_ok()
                    })
                    .map(|def| def.name.clone())
                    .collect();
                assert!(
                    !matches.is_empty(),
                    "{}: the overview example matches no schema: {block}",
                    t.name
                );
            }
        }
    }
}

// ------------------------------------------------------------------ Rust examples

/// Crates the examples can be compiled against: the test crate's dev-dependencies.
const EXAMPLE_CRATES: &[&str] = &[
    "autessa",
    "fixture-hostile",
    "fixture-objects",
    "fixture-operations",
    "fixture-refs",
    "fixture-unions",
];

/// Every Rust example of every reference, as one module per crate.
fn rust_examples_module() -> String {
    let mut out = String::from(
        "//! Every Rust example of the generated references, compiled against the generated\n\
         //! crates. Written by `UPDATE_DOCS_SNAPSHOTS=1 cargo test -p autessa-tests --test docs`;\n\
         //! the `docs` test fails when it differs from what the docs show.\n\
         \n\
         use std::future::Future;\n\
         use std::pin::Pin;\n\
         \n\
         /// One example call, not started.\n\
         pub type Example = Pin<Box<dyn Future<Output = Result<(), Box<dyn std::error::Error>>>>>;\n",
    );
    for t in targets() {
        if !EXAMPLE_CRATES.contains(&t.config.rust.crate_name.as_str()) {
            continue;
        }
        let api = autessa_codegen::load_api(&t.config).unwrap();
        let examples = docs::examples(&api, &docs_config(&t)).unwrap();
        if examples.rust.is_empty() {
            continue;
        }
        let module = t.config.rust.crate_name.replace('-', "_");
        out.push_str(&format!(
            "\n#[rustfmt::skip]\npub mod {module} {{\n    use super::Example;\n"
        ));
        for example in &examples.rust {
            out.push('\n');
            for line in example.code.lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
        out.push_str("\n    /// Every example, not started.\n    pub fn all() -> Vec<Example> {\n        vec![\n");
        for example in &examples.rust {
            out.push_str(&format!("            Box::pin({}()),\n", example.function));
        }
        out.push_str("        ]\n    }\n}\n");
    }
    out
}

#[test]
fn rust_examples_compile() {
    // `docs/rust_examples.rs` is compiled into this test; it must be what the docs show.
    let path = workspace_root().join("tests/tests/docs/rust_examples.rs");
    let module = rust_examples_module();
    if std::env::var_os(UPDATE).is_some() {
        std::fs::write(&path, &module).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == module,
        "{} is stale; run `{UPDATE}=1 cargo test -p autessa-tests --test docs`:\n{}",
        path.display(),
        xtask::generation::line_diff(&on_disk, &module)
    );
    // Each example is shown, verbatim, in a Rust block of its reference.
    let mut counts = BTreeMap::new();
    for t in targets() {
        let r = Rendered::of(&t);
        let all = r.all_markdown();
        let examples = docs::examples(&r.api, &docs_config(&t)).unwrap();
        for example in &examples.rust {
            assert!(
                all.contains(&format!("```rust\n{}\n```", example.code)),
                "{}: {}",
                t.name,
                example.operation_id
            );
        }
        counts.insert(
            t.config.rust.crate_name.replace('-', "_"),
            examples.rust.len(),
        );
    }
    assert_eq!(rust_examples::autessa::all().len(), counts["autessa"]);
    assert_eq!(
        rust_examples::fixture_operations::all().len(),
        counts["fixture_operations"]
    );
    assert_eq!(
        rust_examples::fixture_hostile::all().len(),
        counts["fixture_hostile"]
    );
    assert_eq!(
        rust_examples::fixture_refs::all().len(),
        counts["fixture_refs"]
    );
}
