//! Debian packages ([`autessa_tools::Package`]: Chromium for the tests, OpenSSL's headers
//! and `pkg-config` for the `native-tls` builds), installed with `apt-get` when a file they
//! provide is missing.
//!
//! [`ensure`] is idempotent: a package whose file is present is left alone, so a machine
//! that already has it (or has it from elsewhere) runs no apt at all. Installs are one at a
//! time in a process, and apt's own lock, waited for, keeps concurrent processes apart. On
//! a fresh machine the package lists may be missing or stale: a failed install updates them
//! and tries once more.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use autessa_tools::Package;

/// Installs `packages` whose files are missing, and returns the path each provides.
pub fn ensure(packages: &[Package]) -> Result<Vec<PathBuf>, String> {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let missing: Vec<&str> = packages
        .iter()
        .filter(|p| !Path::new(p.provides).exists())
        .map(|p| p.name)
        .collect();
    if !missing.is_empty() && install(&missing).is_err() {
        apt(&["update"])?;
        install(&missing)?;
    }
    packages
        .iter()
        .map(|p| {
            let path = PathBuf::from(p.provides);
            if path.exists() {
                Ok(path)
            } else {
                Err(format!(
                    "`apt-get install -y {}` did not provide {}",
                    p.name, p.provides
                ))
            }
        })
        .collect()
}

fn install(names: &[&str]) -> Result<(), String> {
    let mut args = vec!["install", "-y"];
    args.extend_from_slice(names);
    apt(&args)
}

fn apt(args: &[&str]) -> Result<(), String> {
    let output = Command::new("apt-get")
        .args(["-o", "DPkg::Lock::Timeout=600"])
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run apt-get: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`apt-get {}` failed ({}):\n{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}
