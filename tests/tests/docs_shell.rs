//! The reference's `curl` and `websocat` examples, run: each `curl` example in
//! `generated/docs/` is pasted into `sh` as a reader would (its base URL pointed at the
//! local mock of the Autessa API, which checks every request against `schema/openapi.yaml`
//! and expects the placeholder key) and must be accepted, and sends the body its
//! operation's Rust example builds; each channel's websocat URL and headers, with the
//! messages of its exchange, are accepted by the WebSocket mock (websocat itself is not
//! needed: a WebSocket client sends what it would). Values a hostile spec gives stay
//! inside their shell words.

use std::collections::BTreeSet;
use std::process::Command;

use autessa_tools::workspace_root;
use serde_json::Value;

/// The placeholder key the examples carry.
const KEY: &str = "YOUR_API_KEY";

/// The base URL the examples use (the schema's first server).
const BASE: &str = "https://api.autessa.com";

/// The fenced block of kind `info` following each `**caption**` line of a Markdown page,
/// with the heading (`## id`) it belongs to.
fn blocks(markdown: &str, caption: &str, info: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut heading = String::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        if let Some(h) = line.strip_prefix("## ") {
            heading = h.to_owned();
        }
        if line != caption {
            continue;
        }
        let fence = lines.find(|l| l.starts_with("```")).unwrap_or_default();
        assert_eq!(fence, format!("```{info}"), "{heading}: {caption}");
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        out.push((heading.clone(), body.join("\n")));
    }
    out
}

fn reference_pages() -> Vec<String> {
    let dir = workspace_root().join("generated/docs");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_curl_example_is_accepted_by_the_api_mock() {
    let server =
        autessa_tests::mock::start_rest(&workspace_root().join("schema/openapi.yaml"), KEY).await;
    let mut ran = BTreeSet::new();
    for page in reference_pages() {
        for (op, example) in blocks(&page, "**curl example**", "sh") {
            assert!(
                example.starts_with(&format!("curl -X POST '{BASE}/")),
                "{op}: {example}"
            );
            let command = example.replacen("curl ", "curl -sS -o /dev/null -w '%{http_code}' ", 1);
            let command = command.replace(BASE, &server.base_url());
            let output = tokio::task::spawn_blocking(move || {
                Command::new("sh").arg("-c").arg(command).output()
            })
            .await
            .unwrap()
            .expect("sh runs");
            let status = String::from_utf8_lossy(&output.stdout).into_owned();
            assert!(
                output.status.success() && status.starts_with('2'),
                "{op}: status {status:?}, {}\n{example}",
                String::from_utf8_lossy(&output.stderr)
            );
            ran.insert(op);
        }
    }
    assert_eq!(server.violations(), Vec::<String>::new());
    let called: BTreeSet<String> = server
        .requests()
        .iter()
        .filter_map(|r| r.operation_id.clone())
        .collect();
    assert_eq!(called, ran, "each example calls the operation it documents");
    assert!(ran.len() >= 16, "only {} curl examples", ran.len());
}

/// The JSON example of each operation's request body, as the page shows it (the first
/// `json` block after `**Request body`), by the heading it belongs to.
fn request_examples(markdown: &str) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut heading = String::new();
    let mut in_body = false;
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        if let Some(h) = line.strip_prefix("## ") {
            heading = h.to_owned();
            in_body = false;
        } else if line.starts_with("**Request body") {
            in_body = true;
        } else if line.starts_with("**Responses**") {
            in_body = false;
        } else if in_body && line == "```json" {
            let text: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            let value = serde_json::from_str(&text.join("\n")).expect("a JSON example");
            out.push((heading.clone(), value));
            in_body = false;
        }
    }
    out
}

/// The JSON a curl example sends on standard input (`<<'JSON' ... JSON`).
fn curl_body(curl: &str) -> Option<Value> {
    let (_, rest) = curl.split_once("<<'JSON'\n")?;
    serde_json::from_str(rest.strip_suffix("\nJSON")?).ok()
}

/// The curl example sends the request body the page documents, which the Rust example
/// builds with the crate's constructors (`rust_examples_compile` in `docs.rs` compiles it).
#[test]
fn curl_examples_send_the_body_of_the_rust_examples() {
    let mut compared = 0;
    for page in reference_pages() {
        let rust = blocks(&page, "**Rust example**", "rust");
        let curl = blocks(&page, "**curl example**", "sh");
        let documented = request_examples(&page);
        for (op, curl) in &curl {
            let (_, rust) = rust
                .iter()
                .find(|(heading, _)| heading == op)
                .unwrap_or_else(|| panic!("{op}: a curl example without a Rust one"));
            let body = documented.iter().find(|(heading, _)| heading == op);
            assert_eq!(
                body.map(|(_, value)| value),
                curl_body(curl).as_ref(),
                "{op}"
            );
            if body.is_some() {
                assert!(
                    rust.contains("let body = autessa::types::"),
                    "{op}: the Rust example does not build its body with the crate's types:\n{rust}"
                );
                compared += 1;
            }
        }
    }
    assert!(compared >= 16, "only {compared} bodies compared");
}

#[test]
fn every_channel_has_a_websocat_example_and_a_message_exchange() {
    let page =
        std::fs::read_to_string(workspace_root().join("generated/docs/channels.md")).unwrap();
    let connect = blocks(&page, "**Connect with websocat**", "sh");
    assert_eq!(connect.len(), 2, "{connect:?}");
    for (channel, command) in &connect {
        assert!(
            command.starts_with("websocat 'wss://api.autessa.com/ws/clients/"),
            "{channel}: {command}"
        );
        assert!(
            command.contains("authorization=YOUR_API_KEY"),
            "{channel}: {command}"
        );
    }
    let exchanges: Vec<String> = page
        .split("A message exchange:")
        .skip(1)
        .map(|s| {
            s.split("```text\n")
                .nth(1)
                .unwrap()
                .split("\n```")
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(exchanges.len(), 2);
    for exchange in exchanges {
        let sent = exchange.lines().filter(|l| l.starts_with("> ")).count();
        let received = exchange.lines().filter(|l| l.starts_with("< ")).count();
        assert!(sent >= 1 && received >= 2, "{exchange}");
        for line in exchange.lines() {
            let json: Value = serde_json::from_str(&line[2..]).unwrap();
            assert!(json.is_object(), "{line}");
        }
    }
}

/// A spec whose values try to break out of the shell words they become.
const HOSTILE: &str = r#"openapi: 3.0.3
info: {title: Shell, version: "1"}
servers: [{url: "https://api.example.com/$(touch base)"}]
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: "X-Key'; touch header; '"}
security: [{key: []}]
paths:
  /items/{id}:
    post:
      operationId: createItem
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}, example: "'; touch path; '"}
        - {name: "q'$(touch qname)", in: query, required: true, schema: {type: string}, example: "$(touch query)`touch tick`"}
        - {name: X-Trace, in: header, required: true, schema: {type: string}, example: "'\"; touch trace; \"'"}
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, properties: {name: {type: string}}}
            example: {name: "\nJSON\ntouch body\n'$(touch body2)'"}
      responses:
        '200': {description: ok}
  /form:
    post:
      operationId: sendForm
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema: {type: object, properties: {"a'b": {type: string}}}
            example: {"a'b": "'; touch form; '"}
      responses:
        '200': {description: ok}
"#;

#[test]
fn hostile_values_stay_inside_their_shell_words() {
    let dir = std::env::temp_dir().join(format!("autessa-shell-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("run")).unwrap();
    std::fs::write(dir.join("spec.yaml"), HOSTILE).unwrap();
    let args = [
        "--openapi".to_owned(),
        dir.join("spec.yaml").display().to_string(),
        "--docs".to_owned(),
        dir.join("docs").display().to_string(),
    ];
    autessa_codegen::cli::run(args.to_vec()).unwrap();
    let page = std::fs::read_to_string(dir.join("docs/operations.md")).unwrap();
    let examples = blocks(&page, "**curl example**", "sh");
    assert_eq!(examples.len(), 2);
    for (op, example) in examples {
        // curl prints its arguments instead of sending them; nothing else may run.
        let script = format!("curl() {{ printf '%s\\n' \"$@\"; cat; }}\n{example}\n");
        let output = Command::new("sh")
            .arg("-c")
            .arg(&script)
            .current_dir(dir.join("run"))
            .output()
            .unwrap();
        assert!(output.status.success(), "{op}: {output:?}");
        let created: Vec<_> = std::fs::read_dir(dir.join("run")).unwrap().collect();
        assert!(
            created.is_empty(),
            "{op}: the example ran {created:?}\n{example}"
        );
        let printed = String::from_utf8_lossy(&output.stdout);
        assert!(
            printed.contains("touch"),
            "{op}: the values are sent as given\n{printed}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The URL and `-H` headers of a websocat command.
fn websocat_request(command: &str) -> (String, Vec<(String, String)>) {
    let words: Vec<&str> = command.split('\'').collect();
    let url = words[1].to_owned();
    let headers = command
        .lines()
        .filter_map(|l| l.trim().strip_prefix("-H '"))
        .filter_map(|h| {
            h.trim_end_matches(" \\")
                .trim_end_matches('\'')
                .split_once(": ")
        })
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    (url, headers)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_websocat_exchange_is_accepted_by_the_channel_mock() {
    use tungstenite::client::IntoClientRequest;

    let server = autessa_tests::mock::start_ws(&workspace_root().join("schema"), KEY).await;
    let page =
        std::fs::read_to_string(workspace_root().join("generated/docs/channels.md")).unwrap();
    let commands = blocks(&page, "**Connect with websocat**", "sh");
    let exchanges: Vec<String> = page
        .split("A message exchange:")
        .skip(1)
        .map(|s| {
            s.split("```text\n")
                .nth(1)
                .unwrap()
                .split("\n```")
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    let mut sent_total = 0;
    for ((channel, command), exchange) in commands.iter().zip(&exchanges) {
        let (url, headers) = websocat_request(command);
        let url = url.replacen(
            "wss://api.autessa.com",
            &format!("ws://{}", server.address()),
            1,
        );
        let sent: Vec<String> = exchange
            .lines()
            .filter_map(|l| l.strip_prefix("> "))
            .map(str::to_owned)
            .collect();
        let first = exchange.lines().next().unwrap().to_owned();
        sent_total += sent.len();
        let channel = channel.clone();
        tokio::task::spawn_blocking(move || {
            let mut request = url.as_str().into_client_request().unwrap();
            for (k, v) in headers {
                request.headers_mut().insert(
                    tungstenite::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    v.parse().unwrap(),
                );
            }
            let (mut socket, _) = tungstenite::connect(request)
                .unwrap_or_else(|e| panic!("{channel}: cannot connect to {url}: {e}"));
            // The server speaks first, as the exchange shows.
            let hello = socket.read().unwrap();
            let hello: Value = serde_json::from_str(hello.to_text().unwrap()).unwrap();
            let shown: Value = serde_json::from_str(first.strip_prefix("< ").unwrap()).unwrap();
            assert_eq!(hello["messageType"], shown["messageType"], "{channel}");
            for line in sent {
                socket.send(tungstenite::Message::text(line)).unwrap();
            }
            let _ = socket.close(None);
        })
        .await
        .unwrap();
    }
    assert!(sent_total >= 2);
    let messages = server.wait_for_messages(sent_total).await;
    assert_eq!(server.violations(), Vec::<String>::new());
    assert!(messages.iter().all(|m| m.message.is_some()), "{messages:?}");
}
