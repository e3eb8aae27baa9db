//! Real AsyncAPI 3.0 WebSocket documents nobody here wrote (from the pinned AsyncAPI CLI's
//! examples): the generator must turn them into crates that build without warnings.

use std::path::{Path, PathBuf};
use std::process::Command;

use autessa_codegen::{Config, Flags, Perspective, RustConfig, generate};
use autessa_tools::{self as tools, ASYNCAPI};

const DOCUMENTS: [(&str, &str); 2] = [
    (
        "kraken",
        "kraken-websocket-request-reply-multiple-channels-asyncapi.yml",
    ),
    ("slack-rtm", "slack-rtm-asyncapi.yml"),
];

fn examples() -> PathBuf {
    ASYNCAPI.package_dir().join("assets/examples")
}

fn generate_crate(name: &str, spec: &Path, out: &Path) -> Vec<String> {
    let runtime = tools::workspace_root().join("runtime");
    let config = Config {
        openapi: None,
        asyncapi: Some(spec.to_path_buf()),
        perspective: Perspective::Server,
        flags: Flags::default(),
        docs: None,
        rust: RustConfig {
            features_by: None,
            crate_name: format!("corpus-{name}"),
            crate_version: "0.0.0".into(),
            runtime_dependency: format!("{{ path = {:?} }}", runtime.display().to_string()),
            env_prefix: name.to_uppercase().replace('-', "_"),
            command: "autessa-codegen".into(),
            package: Default::default(),
        },
    };
    let output = generate(&config).unwrap_or_else(|e| panic!("{name}: {e}"));
    let _ = std::fs::remove_dir_all(out);
    for file in &output.files {
        let path = out.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &file.contents).unwrap();
    }
    output.warnings.iter().map(ToString::to_string).collect()
}

#[test]
#[ignore = "needs the pinned tools: cargo xtask test"]
fn real_websocket_documents_generate_crates_that_build_cleanly() {
    let examples = examples();
    let root = tools::workspace_root().join("target/corpus-asyncapi");
    let mut members = Vec::new();
    for (name, file) in DOCUMENTS {
        let warnings = generate_crate(name, &examples.join(file), &root.join(name));
        println!(
            "{name}: {} warning(s)\n{}",
            warnings.len(),
            warnings.join("\n")
        );
        members.push(format!("{name:?}"));
    }
    // A workspace of their own, so the build neither joins nor waits for ours.
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["build", "--quiet", "--workspace"])
        .current_dir(&root)
        .env("RUSTFLAGS", "-D warnings")
        .env("CARGO_TARGET_DIR", root.join("target"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the generated crates do not build:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
#[ignore = "needs the pinned tools: cargo xtask test"]
fn kraken_requests_and_replies_end_up_on_one_connection() {
    let api = autessa_codegen::load_api(&Config {
        openapi: None,
        asyncapi: Some(examples().join(DOCUMENTS[0].1)),
        perspective: Perspective::Server,
        flags: Flags::default(),
        docs: None,
        rust: RustConfig {
            features_by: None,
            crate_name: "kraken".into(),
            crate_version: "0.0.0".into(),
            runtime_dependency: String::new(),
            env_prefix: "KRAKEN".into(),
            command: String::new(),
            package: Default::default(),
        },
    })
    .unwrap();
    assert_eq!(api.channels.len(), 1, "every Kraken channel is at `/`");
    let socket = &api.channels[0];
    let names =
        |ms: &[autessa_codegen::ir::Message]| ms.iter().map(|m| m.name.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&socket.outgoing),
        ["Ping", "Subscribe", "Unsubscribe"]
    );
    assert_eq!(
        names(&socket.incoming),
        [
            "Pong",
            "Heartbeat",
            "SystemStatus",
            "SubscriptionStatus",
            "DummyCurrencyInfo"
        ]
    );
    assert!(
        socket.incoming.iter().all(|m| m.matcher.is_some()),
        "{:#?}",
        socket.incoming
    );
}
