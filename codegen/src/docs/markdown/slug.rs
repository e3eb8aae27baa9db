//! Heading anchors the way GitHub makes them.

use std::collections::BTreeMap;

use super::syntax::one_line;

/// Heading anchors the way GitHub makes them: lower case, punctuation dropped, spaces
/// as `-`, and `-1`, `-2`, ... for repeats on the same page.
#[derive(Default)]
pub struct Slugger {
    seen: BTreeMap<String, usize>,
}

impl Slugger {
    pub fn slug(&mut self, heading_text: &str) -> String {
        let base = slug(heading_text);
        let mut candidate = base.clone();
        let mut n = self.seen.get(&base).copied().unwrap_or(0);
        while self.seen.contains_key(&candidate) {
            n += 1;
            candidate = format!("{base}-{n}");
        }
        self.seen.insert(base.clone(), n);
        self.seen.entry(candidate.clone()).or_insert(0);
        candidate
    }
}

/// The GitHub anchor of a heading's text (as [`super::Md::text`] writes it: on one line),
/// before de-duplication.
pub fn slug(text: &str) -> String {
    one_line(text)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}
