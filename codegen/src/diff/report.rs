//! The report in three forms (a short summary, a changelog entry, JSON) and the version that
//! follows from it.

use serde_json::{Value, json};

use super::{Change, Report, Semver, Wire};

impl Wire {
    pub fn as_str(self) -> &'static str {
        match self {
            Wire::Compatible => "compatible",
            Wire::StrictDecoders => "breaks strict decoders",
            Wire::Breaking => "breaking",
        }
    }
}

impl Semver {
    pub fn as_str(self) -> &'static str {
        match self {
            Semver::Patch => "patch",
            Semver::Minor => "minor",
            Semver::Major => "major",
        }
    }
}

impl Report {
    /// A few lines for a terminal: the verdicts, then each change.
    pub fn summary(&self) -> String {
        let Some((wire, rust)) = self.wire().zip(self.rust()) else {
            return "no change to the API".into();
        };
        let mut out = format!(
            "{} change(s): wire {}, Rust {}\n",
            self.changes.len(),
            wire.as_str(),
            rust.as_str()
        );
        for c in &self.changes {
            out.push_str(&format!(
                "  [{:>8} | {:<22}] {}: {}\n",
                c.rust.as_str(),
                c.wire.as_str(),
                c.place,
                c.detail
            ));
        }
        out
    }

    /// A changelog entry for `version` (Markdown, starting with its heading).
    pub fn markdown(&self, version: &str) -> String {
        let mut out = format!("## {version}\n\n");
        let (Some(wire), Some(rust)) = (self.wire(), self.rust()) else {
            out.push_str("No change to the API.\n");
            return out;
        };
        out.push_str(&format!(
            "Rust: **{}**. Wire: **{}** for clients built for the previous version.\n\n",
            rust.as_str(),
            wire.as_str()
        ));
        out.push_str("| change | where | Rust | wire |\n|---|---|---|---|\n");
        for c in &self.changes {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                cell(&c.detail),
                cell(&c.place),
                c.rust.as_str(),
                c.wire.as_str()
            ));
        }
        out
    }

    /// The report for tools.
    pub fn json(&self) -> Value {
        json!({
            "rust": self.rust().map(Semver::as_str),
            "wire": self.wire().map(Wire::as_str),
            "changes": self.changes.iter().map(Change::json).collect::<Vec<_>>(),
        })
    }
}

impl Change {
    fn json(&self) -> Value {
        json!({
            "kind": self.kind,
            "place": self.place,
            "detail": self.detail,
            "rust": self.rust.as_str(),
            "wire": self.wire.as_str(),
        })
    }
}

/// A Markdown table cell: no line breaks, pipes escaped.
fn cell(text: &str) -> String {
    text.replace('\n', " ").replace('|', "\\|")
}

/// The version after a change of `semver` weight to `version` (`major.minor.patch`), by
/// Cargo's rules: before 1.0 the minor number is the breaking one.
pub fn bump(version: &str, semver: Semver) -> Result<String, String> {
    let parts: Vec<u64> = version
        .split('.')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| format!("`{version}` is not a `major.minor.patch` version"))?;
    let [major, minor, patch] = parts[..] else {
        return Err(format!("`{version}` is not a `major.minor.patch` version"));
    };
    Ok(match (major, semver) {
        (0, Semver::Major) => format!("0.{}.0", minor + 1),
        (0, _) => format!("0.{minor}.{}", patch + 1),
        (_, Semver::Major) => format!("{}.0.0", major + 1),
        (_, Semver::Minor) => format!("{major}.{}.0", minor + 1),
        (_, Semver::Patch) => format!("{major}.{minor}.{}", patch + 1),
    })
}
