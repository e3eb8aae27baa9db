//! The preload script that ties a Prism to what started it: loaded through
//! `NODE_OPTIONS=--require`, it exits Prism when its standard input ends (see the module
//! docs of [`super`]).

use std::io::Write;
use std::path::{Path, PathBuf};

/// The preload script: exit when standard input ends (what started Prism has gone away).
const EXIT_WITH_PARENT_JS: &str = "\
// Loaded into Prism by autessa-tools' runner (NODE_OPTIONS=--require): Prism exits when its\n\
// standard input ends, that is when the process that started it has gone away.\n\
process.stdin.on('end', () => process.exit(0));\n\
process.stdin.on('error', () => process.exit(0));\n\
process.stdin.resume();\n";

/// `NODE_OPTIONS` with the preload script added to whatever the environment already sets.
pub(super) fn node_options(preload: &Path) -> String {
    let path = preload
        .to_string_lossy()
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    let ours = format!("--require \"{path}\"");
    match std::env::var("NODE_OPTIONS") {
        Ok(existing) if !existing.trim().is_empty() => format!("{existing} {ours}"),
        _ => ours,
    }
}

/// Where the preload script goes: the temporary folder, under a name that carries a hash of
/// its text.
pub(super) fn preload_script_path() -> PathBuf {
    let hash = EXIT_WITH_PARENT_JS
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    std::env::temp_dir().join(format!("autessa-prism-exit-with-parent-{hash:016x}.cjs"))
}

/// Writes the preload script to `path` unless it is there already (written to a unique file
/// first and renamed, so concurrent writers agree).
pub(super) fn write_preload_script(path: &Path) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|text| text == EXIT_WITH_PARENT_JS) {
        return Ok(());
    }
    let temp = path.with_extension(format!("{}.tmp", std::process::id()));
    let mut file = std::fs::File::create(&temp)?;
    file.write_all(EXIT_WITH_PARENT_JS.as_bytes())?;
    drop(file);
    std::fs::rename(&temp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_options_quote_the_preload_path() {
        let options = node_options(Path::new("/tmp/a b/x.cjs"));
        assert!(
            options.ends_with("--require \"/tmp/a b/x.cjs\""),
            "{options}"
        );
    }
}
