//! GitHub's OpenAPI description at published releases of `@octokit/openapi`: real history of
//! one large API. `cargo xtask test` fetches the releases ([`autessa_tools::OCTOKIT_RELEASES`])
//! and names each file in its variable; the tests read them from there.

use std::path::{Path, PathBuf};

use autessa_codegen::{Config, Flags, PackageMeta, RustConfig, ir::Api, load_api};

/// `generated/api.github.com.json` of release `version`; panics, saying what to run, when
/// it is not located.
pub fn description(version: &str) -> PathBuf {
    autessa_tools::octokit_description(version)
}

/// Reads and lowers the description at `path`.
pub fn load(path: &Path) -> Result<Api, String> {
    load_api(&Config {
        openapi: Some(path.to_path_buf()),
        asyncapi: None,
        perspective: Default::default(),
        flags: Flags::default(),
        docs: None,
        rust: RustConfig {
            features_by: None,
            crate_name: "github".into(),
            crate_version: "0.0.0".into(),
            runtime_dependency: String::new(),
            env_prefix: "GITHUB".into(),
            command: String::new(),
            package: PackageMeta::default(),
        },
    })
    .map_err(|d| format!("{}: {d}", path.display()))
}
