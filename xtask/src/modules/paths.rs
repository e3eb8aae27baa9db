//! The module paths a file names, in `use` trees and in expressions and types, made
//! absolute.

use std::collections::BTreeSet;

use super::tokens::Token;

/// Macros whose input is the code being generated (by a code generator), whose paths name
/// the generated crate's modules, not this crate's.
const QUOTING_MACROS: &[&str] = &["quote", "parse_quote", "quote_spanned"];

/// Every module path named in `module`'s tokens, made absolute (segments below the root).
pub(super) fn paths(tokens: &[Token], module: &str, known: &BTreeSet<String>) -> Vec<Vec<String>> {
    let here: Vec<String> = if module.is_empty() {
        Vec::new()
    } else {
        module.split("::").map(str::to_owned).collect()
    };
    let is_child = |name: &str| {
        let mut child = here.clone();
        child.push(name.to_owned());
        known.contains(&child.join("::"))
    };
    // Inline modules (`mod tests { .. }`) open at a brace depth; `super` inside one of them
    // names the module around it, which is still this file's module.
    let mut inline_depths: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth = depth.saturating_sub(1);
                if inline_depths.last() == Some(&depth) {
                    inline_depths.pop();
                }
            }
            Token::Ident(word) if word == "mod" => {
                if let (Some(Token::Ident(_)), Some(Token::Punct('{'))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                {
                    inline_depths.push(depth);
                }
            }
            Token::Ident(word) if QUOTING_MACROS.contains(&word.as_str()) => {
                if let Some(end) = skip_macro_call(tokens, i + 1) {
                    i = end;
                    continue;
                }
            }
            Token::Ident(word) if word == "use" => {
                let mut trees = Vec::new();
                let end = use_tree(tokens, i + 1, Vec::new(), &mut trees);
                for tree in trees {
                    if let Some(path) = anchor(&tree, &here, inline_depths.len(), &is_child) {
                        found.push(path);
                    }
                }
                i = end;
                continue;
            }
            Token::Ident(_) if tokens.get(i + 1) == Some(&Token::Colons) => {
                let after_colons = i > 0 && tokens[i - 1] == Token::Colons;
                if !after_colons {
                    let mut segments = Vec::new();
                    let mut j = i;
                    while let Some(Token::Ident(word)) = tokens.get(j) {
                        segments.push(word.clone());
                        if tokens.get(j + 1) != Some(&Token::Colons) {
                            break;
                        }
                        j += 2;
                    }
                    if let Some(path) = anchor(&segments, &here, inline_depths.len(), &is_child) {
                        found.push(path);
                    }
                    i = j + 1;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// The index after a macro call's input when `i` is at its `!` and opening delimiter.
fn skip_macro_call(tokens: &[Token], i: usize) -> Option<usize> {
    if tokens.get(i) != Some(&Token::Punct('!')) {
        return None;
    }
    let mut depth = 0usize;
    for (at, token) in tokens.iter().enumerate().skip(i + 1) {
        match token {
            Token::Punct('(' | '[' | '{') => depth += 1,
            Token::Punct(')' | ']' | '}') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(at + 1);
                }
            }
            _ if depth == 0 => return None,
            _ => {}
        }
    }
    Some(tokens.len())
}

/// Reads a use tree from `i` into `out` (each leaf's full path); returns the index after it.
fn use_tree(
    tokens: &[Token],
    mut i: usize,
    prefix: Vec<String>,
    out: &mut Vec<Vec<String>>,
) -> usize {
    let mut path = prefix;
    if tokens.get(i) == Some(&Token::Colons) {
        i += 1;
    }
    loop {
        match tokens.get(i) {
            Some(Token::Ident(word)) if word != "as" => {
                path.push(word.clone());
                i += 1;
                if tokens.get(i) == Some(&Token::Colons) {
                    i += 1;
                    continue;
                }
                out.push(path);
                // Skip a rename (`as name`).
                if tokens.get(i) == Some(&Token::Ident("as".to_owned())) {
                    i += 2;
                }
                break;
            }
            Some(Token::Punct('*')) => {
                out.push(path);
                i += 1;
                break;
            }
            Some(Token::Punct('{')) => {
                i += 1;
                loop {
                    match tokens.get(i) {
                        None => return i,
                        Some(Token::Punct('}')) => {
                            i += 1;
                            break;
                        }
                        Some(Token::Punct(',')) => i += 1,
                        Some(_) => i = use_tree(tokens, i, path.clone(), out),
                    }
                }
                break;
            }
            _ => break,
        }
    }
    if tokens.get(i) == Some(&Token::Punct(';')) {
        i += 1;
    }
    i
}

/// Makes `segments` absolute if it starts at `crate`, `self`, `super` or a child module.
fn anchor(
    segments: &[String],
    here: &[String],
    inline: usize,
    is_child: &dyn Fn(&str) -> bool,
) -> Option<Vec<String>> {
    let first = segments.first()?;
    match first.as_str() {
        "crate" => Some(segments[1..].to_vec()),
        "self" if inline == 0 => Some([here, &segments[1..]].concat()),
        "self" => None,
        "super" => {
            let supers = segments.iter().take_while(|s| *s == "super").count();
            // The first `inline` supers leave inline modules and stay in this file's module.
            let up = supers.saturating_sub(inline);
            let base = here.get(..here.len().checked_sub(up)?)?;
            Some([base, &segments[supers..]].concat())
        }
        name if inline == 0 && is_child(name) => Some([here, segments].concat()),
        _ => None,
    }
}
