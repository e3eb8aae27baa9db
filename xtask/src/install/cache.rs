//! The folder the tools are installed under, outside the repository so that installs
//! survive `cargo clean` and fresh clones.

use std::ffi::OsString;
use std::path::PathBuf;

/// The environment variable that overrides the cache folder.
pub const CACHE_DIR_ENV: &str = "AUTESSA_TOOLS_DIR";

/// The folder the tools are installed under: `$AUTESSA_TOOLS_DIR` if set and not empty,
/// otherwise `$HOME/.cache/autessa-tools`, or `<system temp>/autessa-tools` when there is
/// no home folder.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = non_empty_env(CACHE_DIR_ENV) {
        return PathBuf::from(dir);
    }
    match non_empty_env("HOME") {
        Some(home) => PathBuf::from(home).join(".cache").join("autessa-tools"),
        None => std::env::temp_dir().join("autessa-tools"),
    }
}

/// The value of environment variable `name`, if it is set and not empty.
fn non_empty_env(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}
