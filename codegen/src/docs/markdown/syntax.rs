//! The text rules every escaper shares.

/// Text on one line: line breaks and tabs become spaces, the ends are trimmed.
pub(crate) fn one_line(text: &str) -> String {
    let joined: Vec<&str> = text.split(['\n', '\r']).map(str::trim).collect();
    joined
        .join(" ")
        .replace('\t', " ")
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

/// The longest run of `c` in `text` (a code span or fence must be longer).
pub(crate) fn longest_run(text: &str, c: char) -> usize {
    let mut best = 0;
    let mut run = 0;
    for x in text.chars() {
        run = if x == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}
