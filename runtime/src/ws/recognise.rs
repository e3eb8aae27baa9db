//! Telling incoming messages apart by one member, without decoding the message twice.
//!
//! Generated connections list how each of their messages is recognised ([`Matcher`]) and
//! ask [`recognise`] which one a text frame is, then decode the frame once, as that type.
//! The scan reads only the names of the top-level members and the values the matchers look
//! at; everything else is skipped without being decoded, and the scan stops as soon as no
//! member still to come could change the answer.

use std::borrow::Cow;

/// How one incoming message is recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Matcher {
    /// The object has this member (a required member only that message declares).
    Has(&'static str),
    /// The object's member holds this string (a constant only that message has).
    Const(&'static str, &'static str),
}

impl Matcher {
    fn property(self) -> &'static str {
        match self {
            Self::Has(property) | Self::Const(property, _) => property,
        }
    }
}

/// The index of the matcher that `text` satisfies; when it satisfies several, the first in
/// `matchers` wins, whatever the order of the members in the text. `None` when the text is
/// not a JSON object or satisfies none.
///
/// The text is not validated: it is decoded afterwards, and a malformed text fails there.
// Inlined: with the generated, constant list of matchers, the common case compiles down to a
// few comparisons with constant strings.
#[inline]
pub fn recognise(text: &str, matchers: &[Matcher]) -> Option<usize> {
    by_first_member(text, matchers).or_else(|| scan(text, matchers))
}

/// The common case, in a few comparisons: the text starts `{"name":` (no spaces, no escapes)
/// and that first member decides on its own, because every matcher before the one it
/// satisfies looks at the same member. Anything else (`None`) goes to the full scan, which
/// gives the same answer here.
#[inline]
fn by_first_member(text: &str, matchers: &[Matcher]) -> Option<usize> {
    let rest = text.as_bytes().strip_prefix(b"{\"")?;
    for (j, matcher) in matchers.iter().enumerate() {
        let value = rest
            .strip_prefix(matcher.property().as_bytes())?
            .strip_prefix(b"\":")?;
        match matcher {
            Matcher::Has(_) => return Some(j),
            // A plain string (no escapes) is its own value, so a difference is final.
            Matcher::Const(_, constant) if plain_string(value)? == constant.as_bytes() => {
                return Some(j);
            }
            Matcher::Const(..) => {}
        }
    }
    None
}

/// The contents of the string that `value` starts with, if it has no escapes and is followed
/// by the end of the member.
#[inline]
fn plain_string(value: &[u8]) -> Option<&[u8]> {
    let value = value.strip_prefix(b"\"")?;
    let end = memchr::memchr2(b'"', b'\\', value)?;
    (value[end] == b'"' && matches!(value.get(end + 1), Some(b',' | b'}'))).then(|| &value[..end])
}

/// The full scan, for everything the first member does not decide (kept out of line, so that
/// the inlined `recognise` stays small).
#[inline(never)]
fn scan(text: &str, matchers: &[Matcher]) -> Option<usize> {
    let mut scan = Scanner::new(text);
    scan.object_start()?;
    let mut best: Option<usize> = None;
    // Bit j: the member matcher j looks at was read (only the first 64 matchers are tracked;
    // past them the scan reads the whole object).
    let mut read: u64 = 0;
    while let Some(name) = scan.name() {
        // The value is read only when a constant needs it, and skipped otherwise.
        let mut value: Option<&str> = None;
        for (j, matcher) in matchers.iter().enumerate() {
            if matcher.property() != name {
                continue;
            }
            if j < 64 {
                read |= 1 << j;
            }
            let satisfied = match matcher {
                Matcher::Has(_) => true,
                Matcher::Const(_, constant) => {
                    if value.is_none() {
                        value = Some(scan.value()?);
                    }
                    value.is_some_and(|value| is_string(value, constant))
                }
            };
            if satisfied && best.is_none_or(|b| j < b) {
                best = Some(j);
            }
        }
        // Done once every matcher before the best one has had its member read.
        if let Some(b) = best
            && b < 64
            && read | !(u64::MAX << b) == read
        {
            return best;
        }
        if value.is_none() {
            scan.value()?;
        }
    }
    best
}

/// Whether the raw JSON value `raw` is the string `expected`.
fn is_string(raw: &str, expected: &str) -> bool {
    let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) else {
        return false;
    };
    if inner.contains('\\') {
        return serde_json::from_str::<Cow<'_, str>>(raw).is_ok_and(|s| s == expected);
    }
    inner == expected
}

/// A forward-only reader of the top-level members of one JSON object.
struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.skip_whitespace();
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    fn object_start(&mut self) -> Option<()> {
        self.eat(b'{')
    }

    /// The next member's name (unescaped), leaving the position at its value; `None` at the
    /// end of the object or at anything that is not JSON.
    fn name(&mut self) -> Option<Cow<'a, str>> {
        self.skip_whitespace();
        match self.peek()? {
            b',' => {
                self.pos += 1;
                self.skip_whitespace();
            }
            b'}' => return None,
            _ => {}
        }
        let name = match self.string()? {
            (name, false) => Cow::Borrowed(&name[1..name.len() - 1]),
            (name, true) => serde_json::from_str::<Cow<'_, str>>(name).ok()?,
        };
        self.eat(b':')?;
        self.skip_whitespace();
        Some(name)
    }

    /// Skips the value at the current position and returns its text.
    fn value(&mut self) -> Option<&'a str> {
        let start = self.pos;
        self.skip_value()?;
        self.text.get(start..self.pos)
    }

    /// Skips a string at the current position and returns it with its quotes, and whether
    /// it has escapes.
    fn string(&mut self) -> Option<(&'a str, bool)> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        (bytes.get(start) == Some(&b'"')).then_some(())?;
        let mut i = start + 1;
        let mut escaped = false;
        loop {
            i += memchr::memchr2(b'"', b'\\', bytes.get(i..)?)?;
            if bytes[i] == b'"' {
                break;
            }
            escaped = true;
            i += 2;
        }
        self.pos = i + 1;
        Some((self.text.get(start..self.pos)?, escaped))
    }

    /// Skips one value: a string, an object or array (with everything in it), or a scalar.
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' | b'[' => {
                let mut depth = 0_usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
            }
            _ => {
                let rest = &self.text.as_bytes()[self.pos..];
                let len = rest
                    .iter()
                    .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                    .unwrap_or(rest.len());
                (len > 0).then(|| self.pos += len)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{Matcher, recognise};

    const MATCHERS: &[Matcher] = &[
        Matcher::Has("streamedOutput"),
        Matcher::Const("messageType", "STATUS"),
        Matcher::Const("messageType", "RESULT"),
    ];

    #[test]
    fn recognises_by_member_and_by_constant() {
        let chunk = r#"{"streamedOutput":{"outputType":"TEXT","isFinalChunk":false}}"#;
        assert_eq!(recognise(chunk, MATCHERS), Some(0));
        let status = r#" { "connectionId" : "c", "messageType" : "STATUS" } "#;
        assert_eq!(recognise(status, MATCHERS), Some(1));
        assert_eq!(recognise(r#"{"messageType":"RESULT"}"#, MATCHERS), Some(2));
    }

    #[test]
    fn nested_and_string_contents_are_not_members() {
        let nested =
            r#"{"a":{"streamedOutput":1},"b":["messageType","STATUS"],"c":"\"streamedOutput\":"}"#;
        assert_eq!(recognise(nested, MATCHERS), None);
        let braces = r#"{"a":"}{][\\","messageType":"RESULT"}"#;
        assert_eq!(recognise(braces, MATCHERS), Some(2));
    }

    #[test]
    fn escapes_in_names_and_constants_are_read() {
        let escaped = r#"{"message\u0054ype":"\u0053TATUS"}"#;
        assert_eq!(recognise(escaped, MATCHERS), Some(1));
        assert_eq!(recognise(r#"{"messageType":"STATUS\n"}"#, MATCHERS), None);
    }

    #[test]
    fn the_first_matcher_wins_whatever_the_member_order() {
        let late = r#"{"messageType":"STATUS","x":1,"streamedOutput":{}}"#;
        assert_eq!(recognise(late, MATCHERS), Some(0));
        let early = r#"{"streamedOutput":{},"messageType":"STATUS"}"#;
        assert_eq!(recognise(early, MATCHERS), Some(0));
    }

    #[test]
    fn constants_must_be_strings_and_equal() {
        for text in [
            r#"{"messageType":"STATUSX"}"#,
            r#"{"messageType":["STATUS"]}"#,
            r#"{"messageType":null}"#,
            r#"{"messageType":1}"#,
        ] {
            assert_eq!(recognise(text, MATCHERS), None, "{text}");
        }
    }

    #[test]
    fn anything_but_an_object_is_not_recognised() {
        for text in [
            "",
            "[]",
            r#"["streamedOutput"]"#,
            r#""streamedOutput""#,
            "null",
            "{",
            r#"{"streamedOutput""#,
            r#"{"messageType":"STAT"#,
            "{\"a\":\"\\",
        ] {
            assert_eq!(recognise(text, MATCHERS), None, "{text:?}");
        }
    }

    #[test]
    fn a_truncated_object_still_names_what_it_read() {
        // Decoding then fails on the truncated text, with serde's error.
        assert_eq!(recognise(r#"{"streamedOutput":{"a":1}"#, MATCHERS), Some(0));
    }

    /// The same answer from a full decode: the first matcher the object satisfies.
    fn reference(text: &str) -> Option<usize> {
        let serde_json::Value::Object(object) = serde_json::from_str(text).ok()? else {
            return None;
        };
        MATCHERS.iter().position(|matcher| match matcher {
            Matcher::Has(property) => object.contains_key(*property),
            Matcher::Const(property, value) => object.get(*property) == Some(&(*value).into()),
        })
    }

    fn json() -> impl Strategy<Value = serde_json::Value> {
        let names = prop_oneof![
            Just("streamedOutput".to_owned()),
            Just("messageType".to_owned()),
            "[a-zA-Z\\\\\"{}\\[\\],: ]{0,6}",
        ];
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            prop_oneof![
                Just("STATUS".to_owned()),
                Just("RESULT".to_owned()),
                ".{0,6}"
            ]
            .prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 24, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                prop::collection::btree_map(names.clone(), inner, 0..6)
                    .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn agrees_with_a_full_decode(value in json(), pretty in any::<bool>()) {
            let text = match pretty {
                true => serde_json::to_string_pretty(&value).unwrap(),
                false => serde_json::to_string(&value).unwrap(),
            };
            prop_assert_eq!(recognise(&text, MATCHERS), reference(&text), "{}", text);
        }
    }

    #[test]
    fn every_prefix_and_byte_mutation_is_handled_without_panicking() {
        let text = r#"{"streamedOutput":{"k":["\"",{"x":"}"}]},"messageType":"STATUS","n":-1.5e3}"#;
        for end in 0..=text.len() {
            if let Some(prefix) = text.get(..end) {
                let _ = recognise(prefix, MATCHERS);
            }
        }
        let bytes = text.as_bytes();
        for i in 0..bytes.len() {
            for replacement in [b'"', b'\\', b'{', b'}', b'[', b']', b',', b':', b' '] {
                let mut mutated = bytes.to_vec();
                mutated[i] = replacement;
                if let Ok(mutated) = std::str::from_utf8(&mutated) {
                    let _ = recognise(mutated, MATCHERS);
                }
            }
        }
    }
}
