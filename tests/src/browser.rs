//! A real browser for tests that open generated pages: Debian's Chromium, run headless.
//!
//! [`chromium`] is the one `AUTESSA_CHROMIUM` names (`cargo xtask test` installs it and
//! sets the variable; see `autessa_tools`). [`dump_dom`] loads a local file and
//! returns the DOM as Chromium parsed it, with the flags that keep a headless Chromium off
//! the network and out of the user's profile: no sandbox (tests run as root), no GPU, no
//! QUIC, no first-run, background networking, component updates or sync, and a fresh
//! profile folder that is removed afterwards.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long one page load may take before the browser is killed.
pub const LOAD_TIMEOUT: Duration = Duration::from_secs(120);

/// The flags of every run, before the per-run profile folder and the action.
pub const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
];

/// The located Chromium, or why it is not there and what to run.
pub fn chromium() -> Result<PathBuf, String> {
    autessa_tools::chromium()
}

/// A profile folder no other run uses.
fn fresh_profile() -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!(
        "autessa-chromium-{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Loads a local HTML file in headless Chromium and returns the DOM it built
/// (`--dump-dom`).
pub fn dump_dom(page: &Path) -> Result<String, String> {
    let chromium = chromium()?;
    let page =
        std::fs::canonicalize(page).map_err(|e| format!("cannot find {}: {e}", page.display()))?;
    let profile = fresh_profile();
    let out_file = profile.with_extension("dom");
    let log_file = profile.with_extension("log");
    let out = std::fs::File::create(&out_file)
        .map_err(|e| format!("cannot create {}: {e}", out_file.display()))?;
    let log = std::fs::File::create(&log_file)
        .map_err(|e| format!("cannot create {}: {e}", log_file.display()))?;
    let mut child = Command::new(chromium)
        .args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start Chromium: {e}"))?;
    let deadline = Instant::now() + LOAD_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!(
                    "Chromium did not finish loading {} in time",
                    page.display()
                ));
            }
            Err(e) => break Err(format!("waiting for Chromium: {e}")),
        }
    };
    let stderr = std::fs::read_to_string(&log_file).unwrap_or_default();
    let dom = std::fs::read_to_string(&out_file);
    let _ = std::fs::remove_file(&out_file);
    let _ = std::fs::remove_file(&log_file);
    let _ = std::fs::remove_dir_all(&profile);
    let status = status?;
    let dom = dom.map_err(|e| format!("cannot read Chromium's output: {e}"))?;
    if !status.success() || dom.trim().is_empty() {
        return Err(format!(
            "Chromium failed on {} ({status}):\n{stderr}",
            page.display()
        ));
    }
    Ok(dom)
}
