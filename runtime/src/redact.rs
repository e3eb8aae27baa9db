//! What generated `Debug` output shows in place of a secret.

use std::fmt;

/// Stands in for a secret member (a password, a token, private variables) in `Debug`
/// output: it prints `<redacted>`, so logging a value never writes the secret.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::Redacted;

    #[test]
    fn prints_in_place_of_the_secret() {
        assert_eq!(format!("{:?}", Some(Redacted)), "Some(<redacted>)");
    }
}
