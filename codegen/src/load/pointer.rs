//! JSON pointers as written in `$ref` fragments: percent-decoding first, then `~1`/`~0`.

/// Splits a `$ref` fragment (the part after `#`) into unescaped tokens.
pub fn parse_pointer(fragment: &str) -> Result<Vec<String>, String> {
    let decoded = percent_encoding::percent_decode_str(fragment)
        .decode_utf8()
        .map_err(|_| format!("pointer `{fragment}` is not valid UTF-8 after percent-decoding"))?;
    if decoded.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = decoded.strip_prefix('/') else {
        return Err(format!("pointer `{decoded}` must start with `/`"));
    };
    rest.split('/').map(unescape).collect()
}

fn unescape(token: &str) -> Result<String, String> {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                other => {
                    return Err(format!(
                        "invalid escape `~{}` in pointer token `{token}` (only ~0 and ~1 exist)",
                        other.map(String::from).unwrap_or_default()
                    ));
                }
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}
