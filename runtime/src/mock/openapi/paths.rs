//! Matching a request path against the document's path templates.

/// The values of the template's placeholders when `path` matches `template`.
pub(super) fn match_template(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let template_segments: Vec<&str> = template.split('/').collect();
    let path_segments: Vec<&str> = path.split('/').collect();
    if template_segments.len() != path_segments.len() {
        return None;
    }
    let mut captures = Vec::new();
    for (pattern, segment) in template_segments.iter().zip(&path_segments) {
        if !match_segment(pattern, segment, &mut captures) {
            return None;
        }
    }
    Some(captures)
}

/// Matches one segment of a template, whose placeholders may sit between literals
/// (`{Sid}.json`, `v{major}.{minor}`); each captured value is non-empty.
fn match_segment(pattern: &str, segment: &str, captures: &mut Vec<(String, String)>) -> bool {
    let (mut pattern, mut rest) = (pattern, segment);
    while let Some(open) = pattern.find('{') {
        let Some(after) = rest.strip_prefix(&pattern[..open]) else {
            return false;
        };
        let Some(close) = pattern[open..].find('}').map(|at| open + at) else {
            break;
        };
        let name = &pattern[open + 1..close];
        pattern = &pattern[close + 1..];
        // The value runs to the next literal: to the end for a trailing literal.
        let literal = pattern.split('{').next().unwrap_or_default();
        let end = if literal.len() == pattern.len() {
            after.strip_suffix(literal).map(str::len)
        } else if literal.is_empty() {
            None // two placeholders side by side cannot be told apart
        } else {
            after.find(literal)
        };
        match end {
            Some(end) if end > 0 => {
                captures.push((name.to_owned(), after[..end].to_owned()));
                rest = &after[end..];
            }
            _ => return false,
        }
    }
    pattern == rest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_may_sit_between_literals_in_a_segment() {
        let capture = |template, path| match_template(template, path);
        let pairs = |list: &[(&str, &str)]| {
            let owned = list.iter().map(|(n, v)| (n.to_string(), v.to_string()));
            Some(owned.collect::<Vec<_>>())
        };
        assert_eq!(
            capture("/Accounts/{Sid}.json", "/Accounts/AC12.json"),
            pairs(&[("Sid", "AC12")])
        );
        assert_eq!(
            capture("/v{major}.{minor}/x", "/v1.2/x"),
            pairs(&[("major", "1"), ("minor", "2")])
        );
        assert_eq!(capture("/Accounts/{Sid}.json", "/Accounts/.json"), None);
        assert_eq!(capture("/Accounts/{Sid}.json", "/Accounts/AC12"), None);
        assert_eq!(capture("/{a}{b}", "/xy"), None);
        assert_eq!(capture("/a/{id}", "/a/"), None);
    }
}
