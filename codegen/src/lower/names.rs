//! Turning spec text into names: one place for case conversion, ASCII-only output, leading
//! digits and collisions. Keywords are the back-end's business.

use std::collections::{HashMap, HashSet};

use heck::{ToSnakeCase, ToUpperCamelCase};

/// `UpperCamelCase`, ASCII only; `prefix` goes in front of a leading digit, `fallback` is
/// used when nothing usable is left.
pub fn pascal(raw: &str, prefix: &str, fallback: &str) -> String {
    let name: String = ascii_words(raw).to_upper_camel_case();
    finish(name, prefix, fallback)
}

/// `snake_case`, ASCII only.
pub fn snake(raw: &str, fallback: &str) -> String {
    let name = ascii_words(raw).to_snake_case();
    finish(name, "n_", fallback)
}

/// `SHOUTY_SNAKE_CASE`, ASCII only.
pub fn shouty(raw: &str) -> String {
    snake(raw, "value").to_uppercase()
}

fn ascii_words(raw: &str) -> String {
    // Keep word boundaries where non-ASCII or punctuation stood.
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

fn finish(name: String, prefix: &str, fallback: &str) -> String {
    if name.is_empty() {
        fallback.to_owned()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{prefix}{name}")
    } else {
        name
    }
}

/// Type names the generated code uses without a path.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "BTreeMap",
    "Serialize",
    "Deserialize",
    "Client",
];

/// The methods every generated client has: no operation or channel method may take them.
pub const CLIENT_METHODS: &[&str] = &[
    "new",
    "from_env",
    "builder",
    "from_http",
    "http",
    "with_options",
];

/// The variants the enums of what the server sends have beside one per message: the
/// message enum's fallbacks, and a streamed reply's parts that are not a message of it.
pub const INCOMING_ENUM_VARIANTS: &[&str] = &["Unknown", "UnknownBinary", "Other", "Previous"];

/// The variant the mock's enum of what clients send has beside one per message.
pub const OUTGOING_ENUM_VARIANTS: &[&str] = &["Other"];

/// The methods every generated connection has: the getter of the message the server sends
/// first may not take them.
const CONNECTION_METHODS: &[&str] = &["recv", "poll_recv", "close", "session", "sender"];

/// The client's method for an operation whose id reads `base`: one of [`CLIENT_METHODS`]
/// gets an `_operation` suffix, then `scope` settles any other clash.
pub fn claim_operation_method(scope: &mut Scope, base: String) -> String {
    if CLIENT_METHODS.contains(&base.as_str()) {
        scope.claim(format!("{base}_operation"))
    } else {
        scope.claim(base)
    }
}

/// Names what the channels add to the client and their connections, once every operation
/// has its method: `connect_<channel>` and `connect_<channel>_with` beside the operations'
/// methods, and each message's method stem on its connection.
pub fn name_channel_methods(api: &mut crate::ir::Api) {
    let mut client = Scope::snake();
    for taken in CLIENT_METHODS {
        client.reserve(taken);
    }
    for op in &api.operations {
        client.reserve(&op.name);
        if let Some(name) = &op.stream_name {
            client.reserve(name);
        }
        if let Some(flow) = &op.upload {
            client.reserve(&flow.name);
        }
    }
    // The mock's methods: `on_<operation>`, then `on_<channel>` (`_channel` on a clash).
    let mut mock = Scope::snake();
    for op in &api.operations {
        mock.reserve(&mock_method(&op.name));
    }
    // Snake-case names that differ only by underscores (`a_2`, `a2`) meet in `PascalCase`.
    let mut type_stems = Scope::pascal();
    for channel in &mut api.channels {
        channel.type_stem = type_stems.claim(pascal(&channel.name, "Channel", "Channel"));
        channel.connect = client.claim(format!("connect_{}", channel.name));
        channel.connect_with = client.claim(format!("{}_with", channel.connect));
        let on = mock_method(&channel.name);
        channel.mock_method = match mock.is_taken(&on) {
            true => mock.claim(format!("{on}_channel")),
            false => mock.claim(on),
        };
        // `send_<stem>` and `request_<stem>` clash with no method of a connection; the
        // first message's getter, `<stem>`, must keep clear of them.
        let mut stems = Scope::snake();
        let initial = channel.initial;
        for message in &mut channel.outgoing {
            message.method = stems.claim(snake(&message.name, "message"));
        }
        for (index, message) in channel.incoming.iter_mut().enumerate() {
            let stem = snake(&message.name, "message");
            message.method = match CONNECTION_METHODS.contains(&stem.as_str()) {
                true if initial == Some(index) => stems.claim(format!("{stem}_message")),
                _ => stems.claim(stem),
            };
        }
    }
}

/// The mock's method for an operation or a channel named `name` (`on_<name>`).
pub fn mock_method(name: &str) -> String {
    format!("on_{}", name.trim_start_matches("r#"))
}

/// Names already taken in one scope; a clash gets the next free numeric suffix.
#[derive(Debug, Default)]
pub struct Scope {
    used: HashSet<String>,
    separator: &'static str,
    /// Per clashing base name, the suffix to try first: every smaller one is taken (names
    /// are never given back), so probing need not start at 2 again. Without it, N claims
    /// of one name cost N² probes (Microsoft Graph claims some names thousands of times).
    next_suffix: HashMap<String, usize>,
}

impl Scope {
    /// A scope for snake-case names: clashes become `name_2`.
    pub fn snake() -> Self {
        Self {
            separator: "_",
            ..Self::default()
        }
    }

    /// A scope for `PascalCase` names: clashes become `Name2`.
    pub fn pascal() -> Self {
        Self::default()
    }

    /// A scope for type names, with the names back-ends use unqualified taken.
    pub fn type_names() -> Self {
        let mut scope = Self::pascal();
        for name in RESERVED_TYPE_NAMES {
            scope.reserve(name);
        }
        scope
    }

    /// Whether `name` is taken.
    pub fn is_taken(&self, name: &str) -> bool {
        self.used.contains(name)
    }

    /// Reserves `name` so that nothing claims it later.
    pub fn reserve(&mut self, name: &str) {
        self.used.insert(name.to_owned());
    }

    /// Reserves every name of `names`.
    pub fn reserve_all(&mut self, names: &[&str]) {
        for name in names {
            self.reserve(name);
        }
    }

    /// The first of `candidates` still free, else the first with a numeric suffix.
    pub fn claim_first_free(&mut self, candidates: &[&str]) -> String {
        match candidates.iter().find(|c| !self.used.contains(**c)) {
            Some(free) => self.claim((*free).to_owned()),
            None => self.claim(candidates[0].to_owned()),
        }
    }

    pub fn claim(&mut self, base: String) -> String {
        if self.used.insert(base.clone()) {
            return base;
        }
        let first = self.next_suffix.get(&base).copied().unwrap_or(2);
        let (n, name) = (first..)
            .map(|n| (n, format!("{base}{}{n}", self.separator)))
            .find(|(_, candidate)| self.used.insert(candidate.clone()))
            .expect("an unbounded range always yields a free name");
        self.next_suffix.insert(base, n + 1);
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_case_and_strips_punctuation() {
        assert_eq!(
            pascal("create-conversation", "T", "X"),
            "CreateConversation"
        );
        assert_eq!(
            pascal("X-RateLimit-Limit-Minute", "T", "X"),
            "XRateLimitLimitMinute"
        );
        assert_eq!(snake("versionState", "x"), "version_state");
        assert_eq!(snake("application/json", "x"), "application_json");
    }

    #[test]
    fn leading_digits_and_empty_names() {
        assert_eq!(pascal("2fa", "Type", "X"), "Type2fa");
        assert_eq!(snake("3d_model", "x"), "n_3d_model");
        assert_eq!(pascal("日本", "T", "Fallback"), "Fallback");
        assert_eq!(pascal("café au lait", "T", "X"), "CafAuLait");
    }

    #[test]
    fn clashes_get_suffixes() {
        let mut scope = Scope::pascal();
        assert_eq!(scope.claim("Foo".into()), "Foo");
        assert_eq!(scope.claim("Foo".into()), "Foo2");
        assert_eq!(scope.claim("Foo".into()), "Foo3");
        let mut scope = Scope::snake();
        scope.reserve("new");
        assert_eq!(scope.claim("new".into()), "new_2");
    }

    #[test]
    fn a_suffix_taken_in_between_is_skipped() {
        let mut scope = Scope::pascal();
        scope.claim("Foo".into());
        assert_eq!(scope.claim("Foo".into()), "Foo2");
        scope.reserve("Foo3");
        assert_eq!(scope.claim("Foo".into()), "Foo4");
        // `Foo2` claimed as a base name of its own clashes with itself, not with `Foo`.
        assert_eq!(scope.claim("Foo2".into()), "Foo22");
        assert_eq!(scope.claim("Foo".into()), "Foo5");
    }
}
