//! A string that a JSON Schema `pattern` (an ECMA-262 regular expression) matches, for
//! made-up examples: `^AC[0-9a-fA-F]{32}$` gives `AC0000…`.
//!
//! Only the subset real descriptions use is understood: literals and escapes (`\d`, `\w`,
//! `\.`), classes (`[a-z_]`, `[^,]`), groups (the first alternative is taken), quantifiers
//! (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, lazy or not) and anchors. Anything else
//! (lookaround, backreferences) gives `None`.

/// A string `pattern` matches, at least `min_len` characters long where the pattern allows.
pub fn matching(pattern: &str, min_len: usize) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut parser = Parser { chars, at: 0 };
    let mut items = parser.alternatives()?;
    if parser.at != parser.chars.len() {
        return None;
    }
    // Grow the last item that may repeat until the string is long enough.
    let mut text: String = items.iter().map(Item::render).collect();
    let short = min_len.saturating_sub(text.chars().count());
    if short > 0
        && let Some(item) = items.iter_mut().rev().find(|i| i.max > i.min)
    {
        let unit = item.atom.render().chars().count().max(1);
        let more = short.div_ceil(unit);
        item.min = item.max.min(item.min + more);
        text = items.iter().map(Item::render).collect();
    }
    Some(text)
}

/// Something that can repeat: a character or a group's text.
#[derive(Clone, Debug)]
enum Atom {
    Char(char),
    Group(Vec<Item>),
}

impl Atom {
    fn render(&self) -> String {
        match self {
            Atom::Char(c) => c.to_string(),
            Atom::Group(items) => items.iter().map(Item::render).collect(),
        }
    }
}

#[derive(Clone, Debug)]
struct Item {
    atom: Atom,
    min: usize,
    max: usize,
}

impl Item {
    fn render(&self) -> String {
        self.atom.render().repeat(self.min)
    }
}

/// Repetitions past this count as unbounded.
const MANY: usize = 64;

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        Some(c)
    }

    /// `a|b|c` up to the end or a `)`: the first alternative (the others are read past).
    fn alternatives(&mut self) -> Option<Vec<Item>> {
        let first = self.sequence()?;
        while self.peek() == Some('|') {
            self.at += 1;
            self.sequence()?;
        }
        Some(first)
    }

    fn sequence(&mut self) -> Option<Vec<Item>> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            let atom = match c {
                '|' | ')' => break,
                '^' | '$' => {
                    self.at += 1;
                    continue;
                }
                '(' => {
                    self.at += 1;
                    if self.peek() == Some('?') {
                        // Only non-capturing groups; lookaround cannot be sampled this way.
                        self.at += 1;
                        if self.next()? != ':' {
                            return None;
                        }
                    }
                    let inner = self.alternatives()?;
                    if self.next()? != ')' {
                        return None;
                    }
                    Atom::Group(inner)
                }
                '[' => {
                    self.at += 1;
                    Atom::Char(self.class()?)
                }
                '\\' => {
                    self.at += 1;
                    match self.escape()? {
                        Some(c) => Atom::Char(c),
                        None => continue,
                    }
                }
                '.' => {
                    self.at += 1;
                    Atom::Char('a')
                }
                '*' | '+' | '?' | '{' => return None,
                c => {
                    self.at += 1;
                    Atom::Char(c)
                }
            };
            let (min, max) = self.quantifier()?;
            items.push(Item { atom, min, max });
        }
        Some(items)
    }

    /// The repetition after an atom, `(1, 1)` without one.
    fn quantifier(&mut self) -> Option<(usize, usize)> {
        let bounds = match self.peek() {
            Some('*') => (0, MANY),
            Some('+') => (1, MANY),
            Some('?') => (0, 1),
            Some('{') => {
                let close = self.chars[self.at..].iter().position(|&c| c == '}')? + self.at;
                let inside: String = self.chars[self.at + 1..close].iter().collect();
                let (low, high) = match inside.split_once(',') {
                    None => {
                        let n = inside.trim().parse().ok()?;
                        (n, n)
                    }
                    Some((low, "")) => (low.trim().parse().ok()?, MANY),
                    Some((low, high)) => (low.trim().parse().ok()?, high.trim().parse().ok()?),
                };
                self.at = close;
                (low, high.max(low))
            }
            _ => return Some((1, 1)),
        };
        self.at += 1;
        // Lazy and possessive markers change nothing here.
        if matches!(self.peek(), Some('?' | '+')) {
            self.at += 1;
        }
        Some(bounds)
    }

    /// The character an escape stands for; `None` for an assertion (`\b`), which adds none.
    fn escape(&mut self) -> Option<Option<char>> {
        Some(Some(match self.next()? {
            'd' => '0',
            'w' | 'D' | 'S' => 'a',
            'W' => '-',
            's' => ' ',
            'b' | 'B' => return Some(None),
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'u' => {
                let hex: String = self.chars.get(self.at..self.at + 4)?.iter().collect();
                self.at += 4;
                char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
            }
            c if c.is_ascii_alphanumeric() => return None,
            c => c,
        }))
    }

    /// A character of the class whose `[` was just read; past its `]`.
    fn class(&mut self) -> Option<char> {
        let negated = self.peek() == Some('^');
        if negated {
            self.at += 1;
        }
        let mut members: Vec<(char, char)> = Vec::new();
        let mut first = true;
        loop {
            let c = self.next()?;
            let low = match c {
                ']' if !first => break,
                '\\' => match self.next()? {
                    'd' => {
                        members.push(('0', '9'));
                        first = false;
                        continue;
                    }
                    'w' => {
                        members.extend([('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')]);
                        first = false;
                        continue;
                    }
                    's' => {
                        members.push((' ', ' '));
                        first = false;
                        continue;
                    }
                    'n' => '\n',
                    't' => '\t',
                    e => e,
                },
                c => c,
            };
            first = false;
            if self.peek() == Some('-') && self.chars.get(self.at + 1).is_some_and(|&c| c != ']') {
                self.at += 1;
                let high = match self.next()? {
                    '\\' => self.next()?,
                    c => c,
                };
                members.push((low, high));
            } else {
                members.push((low, low));
            }
        }
        if negated {
            let within = |c: char| members.iter().any(|&(l, h)| l <= c && c <= h);
            "a0A_-.x".chars().find(|&c| !within(c))
        } else {
            members.first().map(|&(low, _)| low)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, min_len: usize) -> String {
        matching(pattern, min_len).unwrap_or_else(|| panic!("no sample for {pattern}"))
    }

    #[test]
    fn samples_of_real_patterns() {
        assert_eq!(
            matches("^AC[0-9a-fA-F]{32}$", 0),
            format!("AC{}", "0".repeat(32))
        );
        assert_eq!(matches("[0-9a-f]{7,}?", 0), "0000000");
        assert_eq!(matches("^([0-9]+)_([0-9]+)$", 0), "0_0");
        assert_eq!(matches("^[a-z0-9-]+\\.example\\.com$", 0), "a.example.com");
        assert_eq!(matches("^(?:https?|ftp)://\\S+$", 0), "http://a");
        assert_eq!(matches("^[^,]*$", 3), "aaa");
        assert_eq!(matches("^\\d{3}-\\d{4}$", 0), "000-0000");
    }

    #[test]
    fn short_samples_grow_to_the_minimum_length() {
        assert_eq!(matches("^[a-z]+$", 5), "aaaaa");
        assert_eq!(matches("^x(ab)*$", 4), "xabab");
        // Bounded: the pattern wins.
        assert_eq!(matches("^[a-z]{1,2}$", 5), "aa");
    }

    #[test]
    fn unsupported_patterns_give_none() {
        assert_eq!(matching("^(?=a)a$", 0), None);
        assert_eq!(matching("(a)\\1", 0), None);
        assert_eq!(matching("a{2", 0), None);
    }
}
