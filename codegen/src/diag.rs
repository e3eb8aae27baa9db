//! Located diagnostics: every problem names the file, the JSON pointer and what was expected.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A place in a loaded document: the file and a JSON pointer into it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    pub file: Arc<PathBuf>,
    /// An RFC 6901 pointer, `""` for the whole document.
    pub pointer: String,
}

impl Location {
    pub fn new(file: Arc<PathBuf>, pointer: impl Into<String>) -> Self {
        Self {
            file,
            pointer: pointer.into(),
        }
    }

    /// The location of a child member, escaping `~` and `/` in the key.
    pub fn join(&self, key: impl fmt::Display) -> Self {
        let mut pointer = self.pointer.clone();
        push_token(&mut pointer, key);
        Self::new(self.file.clone(), pointer)
    }

    /// The unescaped pointer tokens.
    pub fn tokens(&self) -> impl Iterator<Item = String> + '_ {
        self.borrowed_tokens().map(Cow::into_owned)
    }

    /// The unescaped pointer tokens, copied only when they hold an escape: documents are
    /// walked by pointer at every lookup.
    pub fn borrowed_tokens(&self) -> impl Iterator<Item = Cow<'_, str>> + '_ {
        self.pointer
            .split('/')
            .skip(1)
            .map(|t| match t.contains('~') {
                true => Cow::Owned(unescape(t)),
                false => Cow::Borrowed(t),
            })
    }

    pub fn file(&self) -> &Path {
        &self.file
    }
}

/// Appends `/key` to a JSON pointer, escaping `~` and `/` in the key.
pub fn push_token(pointer: &mut String, key: impl fmt::Display) {
    use fmt::Write;
    pointer.push('/');
    let start = pointer.len();
    let _ = write!(pointer, "{key}");
    if pointer[start..].contains(['~', '/']) {
        let escaped = pointer[start..].replace('~', "~0").replace('/', "~1");
        pointer.truncate(start);
        pointer.push_str(&escaped);
    }
}

/// A pointer token with `~1` read as `/` and `~0` as `~`, in one pass (OpenAPI paths,
/// `/users/{id}`, are escaped in every pointer under them).
fn unescape(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('~', Some('1')) => out.push('/'),
            ('~', Some('0')) => out.push('~'),
            _ => {
                out.push(c);
                continue;
            }
        }
        chars.next();
    }
    out
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.file.display(), self.pointer)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// One problem found in a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub location: Location,
    pub message: String,
}

impl Diagnostic {
    pub fn error(location: &Location, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            location: location.clone(),
            message: message.into(),
        }
    }

    pub fn warning(location: &Location, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            location: location.clone(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{level}: {}: {}", self.location, self.message)
    }
}

/// The errors that stopped generation, plus any warnings collected on the way.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.severity == Severity::Error)
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Self(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    #[test]
    fn pointer_tokens_unescape_as_replacing_tilde_one_then_tilde_zero() {
        for token in [
            "~1users~1{id}",
            "~01",
            "~~1",
            "~10",
            "~0~1",
            "~~01",
            "a~",
            "~2",
            "x",
        ] {
            let expected = token.replace("~1", "/").replace("~0", "~");
            assert_eq!(super::unescape(token), expected, "{token}");
        }
    }
}
