//! The last pass over a rendered page: the templates' blank lines tidied away.

/// Collapses runs of blank lines and trailing spaces outside fenced code blocks; ends with
/// one newline.
pub fn tidy(markdown: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut fence: Option<String> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        let marker: String = trimmed.chars().take_while(|&c| c == '`').collect();
        match &fence {
            Some(open) => {
                if marker.len() >= open.len() && trimmed[marker.len()..].trim().is_empty() {
                    fence = None;
                }
                out.push(line);
                continue;
            }
            None if marker.len() >= 3 => fence = Some(marker),
            None => {}
        }
        let line = line.trim_end();
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}
