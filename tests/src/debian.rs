//! Debian packages the tests need beyond a Rust toolchain, installed with `apt-get` when a
//! file they provide is missing.
//!
//! [`ensure`] is idempotent: a package whose file is present is left alone, so a machine
//! that already has it (or has it from elsewhere) runs no apt at all. Installs are one at a
//! time in a process, and apt's own lock, waited for, keeps concurrent processes apart. On
//! a fresh machine the package lists may be missing or stale: a failed install updates them
//! and tries once more.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

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
