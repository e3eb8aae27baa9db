//! The generated API evolves by semver. `tests/evolution/` holds one small API at three
//! releases: 1.1 adds what schemas commonly gain (an optional request, response and message
//! member, an optional query and header parameter, an enum value, a union shape, an
//! operation, a response header, a message, a channel, a connection parameter); 2.0 removes
//! an operation, makes a member required and retypes one.
//!
//! Each release is generated as the crate `evolution`; then
//!
//! - `tests/evolution/downstream/src/lib.rs`, written against 1.0 the way the README
//!   teaches, compiles warning-free against 1.0 and 1.1, and fails to compile against 2.0;
//! - cargo-semver-checks (pinned, installed into the tools cache) finds nothing that needs
//!   more than a minor release from 1.0 to 1.1, and reports the major changes of 2.0.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use autessa_codegen::diff::{self, Semver};
use autessa_codegen::{Config, Flags, PackageMeta, RustConfig, generate};
use autessa_tools::SEMVER_CHECKS;
use autessa_tools::workspace_root;

const RELEASES: [(&str, &str); 3] = [("v1", "1.0.0"), ("v2", "1.1.0"), ("v3", "2.0.0")];

/// Generates every release into `dir/<release>`.
fn generate_releases(dir: &Path) {
    let root = workspace_root();
    let specs = root.join("tests/evolution");
    for (release, version) in RELEASES {
        let config = Config {
            openapi: Some(specs.join(format!("{release}.openapi.yaml"))),
            asyncapi: Some(specs.join(format!("{release}.asyncapi.yaml"))),
            perspective: Default::default(),
            flags: Flags::default(),
            docs: None,
            rust: RustConfig {
                features_by: None,
                crate_name: "evolution".into(),
                crate_version: version.into(),
                runtime_dependency: format!(
                    "{{ path = {:?} }}",
                    root.join("runtime").display().to_string()
                ),
                env_prefix: "EVOLUTION".into(),
                command: "autessa-codegen".into(),
                package: PackageMeta {
                    license: "MIT".into(),
                    publish: true,
                    ..PackageMeta::default()
                },
            },
        };
        let output = generate(&config).unwrap_or_else(|e| panic!("{release}: {e}"));
        for file in output.files {
            let path = dir.join(release).join(&file.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, file.contents).unwrap();
        }
        // Not a member of any workspace around the temporary folder.
        let manifest = dir.join(release).join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        std::fs::write(&manifest, format!("{text}\n[workspace]\n")).unwrap();
    }
}

/// `cargo check` of the downstream code against `release`, warnings denied.
fn check_downstream(dir: &Path, release: &str) -> Output {
    let crate_dir = dir.join(format!("downstream-{release}"));
    std::fs::create_dir_all(crate_dir.join("src")).unwrap();
    std::fs::copy(
        workspace_root().join("tests/evolution/downstream/src/lib.rs"),
        crate_dir.join("src/lib.rs"),
    )
    .unwrap();
    std::fs::write(
        crate_dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"evolution-user\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
             publish = false\n\n[features]\nblocking = [\"evolution/blocking\"]\n\n\
             [dependencies]\nevolution = {{ path = \"../{release}\", default-features = false, \
             features = [\"ws\"] }}\n\n[workspace]\n"
        ),
    )
    .unwrap();
    cargo()
        .args([
            "check",
            "--quiet",
            "--features",
            "blocking",
            "--manifest-path",
        ])
        .arg(crate_dir.join("Cargo.toml"))
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .expect("cargo runs")
}

/// cargo-semver-checks on `current` against `baseline`, for a minor release.
fn semver_checks(dir: &Path, baseline: &str, current: &str) -> (bool, String) {
    let bin = SEMVER_CHECKS.require();
    let output = Command::new(bin)
        .args(["semver-checks", "check-release", "--manifest-path"])
        .arg(dir.join(current).join("Cargo.toml"))
        .arg("--baseline-root")
        .arg(dir.join(baseline))
        .args(["--release-type", "minor", "--only-explicit-features"])
        .args(["--features", "ws,blocking", "--color", "never"])
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("cargo-semver-checks runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.env("CARGO_TARGET_DIR", target_dir());
    command
}

/// Shared by every run, so that the runtime and its dependencies are built once.
fn target_dir() -> PathBuf {
    workspace_root().join("target/evolution")
}

#[test]
#[ignore = "needs the pinned tools: cargo xtask test"]
fn common_additions_are_minor_and_removals_major() {
    let dir = std::env::temp_dir().join(format!("autessa-evolution-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    generate_releases(&dir);

    for release in ["v1", "v2"] {
        let output = check_downstream(&dir, release);
        assert!(
            output.status.success(),
            "code written for 1.0 must compile against {release}:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let output = check_downstream(&dir, "v3");
    assert!(
        !output.status.success(),
        "2.0 requires a member that 1.0 code leaves out; compiling must fail"
    );
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("NewItem::new"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // The generator's own change report says the same as cargo-semver-checks below.
    let api = |release: &str| {
        let specs = workspace_root().join("tests/evolution");
        autessa_codegen::load_api(&Config {
            openapi: Some(specs.join(format!("{release}.openapi.yaml"))),
            asyncapi: Some(specs.join(format!("{release}.asyncapi.yaml"))),
            perspective: Default::default(),
            flags: Flags::default(),
            docs: None,
            rust: RustConfig {
                features_by: None,
                crate_name: "evolution".into(),
                crate_version: "0.0.0".into(),
                runtime_dependency: String::new(),
                env_prefix: "EVOLUTION".into(),
                command: String::new(),
                package: PackageMeta::default(),
            },
        })
        .unwrap()
    };
    let (v1, v2, v3) = (api("v1"), api("v2"), api("v3"));
    assert_eq!(diff::compare(&v1, &v2).rust(), Some(Semver::Minor));
    assert_eq!(diff::compare(&v2, &v3).rust(), Some(Semver::Major));

    let (passed, report) = semver_checks(&dir, "v1", "v2");
    assert!(passed, "1.0 -> 1.1 must pass as a minor release:\n{report}");
    assert!(
        report.contains("Summary no semver update required")
            || report.contains("Summary semver requires new minor version"),
        "{report}"
    );
    assert!(
        !report.contains("major"),
        "1.0 -> 1.1 must not even warn of a major change:\n{report}"
    );

    let (passed, report) = semver_checks(&dir, "v2", "v3");
    assert!(
        !passed,
        "1.1 -> 2.0 must fail as a minor release:\n{report}"
    );
    assert!(
        report.contains("Summary semver requires new major version"),
        "{report}"
    );
    for lint in ["inherent_method_missing", "method_parameter_count_changed"] {
        assert!(report.contains(lint), "{lint} expected:\n{report}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
