//! GitHub's OpenAPI description at published releases of `@octokit/openapi`: real history of
//! one large API, fetched from npm into the tools cache once per version.

use std::path::PathBuf;
use std::process::Command;

use autessa_tools::OCTOKIT as PACKAGE;

use super::cache::cache_dir;

/// `generated/api.github.com.json` of release `version`, fetched with `npm pack` once.
pub fn description(version: &str) -> Result<PathBuf, String> {
    let dir = cache_dir().join(format!("octokit-openapi-{version}"));
    let file = dir.join("package/generated/api.github.com.json");
    if file.is_file() {
        return Ok(file);
    }
    let temp = cache_dir().join(format!(
        ".octokit-openapi-{version}.tmp-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&temp);
    std::fs::create_dir_all(&temp).map_err(|e| format!("{}: {e}", temp.display()))?;
    let packed = Command::new("npm")
        .args(["pack", "--silent", &format!("{PACKAGE}@{version}")])
        .current_dir(&temp)
        .output()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    let tarball = String::from_utf8_lossy(&packed.stdout).trim().to_owned();
    if !packed.status.success() || tarball.is_empty() {
        return Err(format!("npm pack {PACKAGE}@{version} failed"));
    }
    let status = Command::new("tar")
        .arg("-xzf")
        .arg(&tarball)
        .current_dir(&temp)
        .status()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    if !status.success() {
        return Err(format!("unpacking {tarball} failed"));
    }
    let _ = std::fs::remove_file(temp.join(&tarball));
    if std::fs::rename(&temp, &dir).is_err() && !file.is_file() {
        return Err(format!("cannot move {} into place", temp.display()));
    }
    let _ = std::fs::remove_dir_all(&temp);
    Ok(file)
}
