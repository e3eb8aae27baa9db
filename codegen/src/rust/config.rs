//! What the generated crate is called and what it depends on.

pub use super::features::Grouping;

/// What the generated crate is called and what it depends on.
#[derive(Clone, Debug)]
pub struct RustConfig {
    /// The package name (`autessa`).
    pub crate_name: String,
    pub crate_version: String,
    /// The runtime dependency as a TOML value, e.g. `{ path = "../runtime" }`.
    pub runtime_dependency: String,
    /// Prefix of the environment variables the client reads (`AUTESSA` gives
    /// `AUTESSA_API_KEY` and `AUTESSA_BASE_URL`).
    pub env_prefix: String,
    /// How to regenerate, written into every file's header.
    pub command: String,
    /// The package metadata of the generated `Cargo.toml`.
    pub package: PackageMeta,
    /// Cargo features that split the crate by area (`None`: one crate, every operation).
    pub features_by: Option<Grouping>,
}

/// What the generated `Cargo.toml` says about the package beyond its name and version.
/// Empty members are left out of the manifest (`cargo publish` wants at least a license and
/// a description).
#[derive(Clone, Debug, Default)]
pub struct PackageMeta {
    /// One line; empty: "A typed client for" and the API title.
    pub description: String,
    /// An SPDX expression, such as `MIT OR Apache-2.0`.
    pub license: String,
    pub repository: String,
    pub homepage: String,
    pub documentation: String,
    /// The oldest Rust the crate builds with; empty: the runtime's.
    pub rust_version: String,
    pub keywords: Vec<String>,
    pub categories: Vec<String>,
    /// Whether `cargo publish` may upload the crate (`false` writes `publish = false`).
    pub publish: bool,
}
