//! The `x-autessa-inferred` marks of `schema/openapi.yaml` and `schema/asyncapi.yaml` agree
//! with the contract: every element the contract calls our decision carries the mark, no
//! element it calls documented does, and no element carries it without being listed.
//!
//! The contract lives outside the repository, so its decisions are copied, element by
//! element (document and JSON pointer), into `tests/tests/data/contract-decisions.yaml`.

use std::collections::BTreeSet;

use autessa_tools as tools;
use serde::Deserialize;
use serde_yaml::Value;

const DECISIONS: &str = "tests/tests/data/contract-decisions.yaml";
const MARK: &str = "x-autessa-inferred";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Listing {
    decisions: Vec<Entry>,
    documented: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    document: Document,
    pointer: String,
    contract: String,
}

#[derive(Clone, Copy, Deserialize, PartialEq, Eq, PartialOrd, Ord, Debug)]
#[serde(rename_all = "lowercase")]
enum Document {
    Openapi,
    Asyncapi,
}

impl Document {
    fn path(self) -> &'static str {
        match self {
            Document::Openapi => "schema/openapi.yaml",
            Document::Asyncapi => "schema/asyncapi.yaml",
        }
    }
}

fn load<T: for<'de> Deserialize<'de>>(relative: &str) -> T {
    let path = tools::workspace_root().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

struct Documents {
    openapi: Value,
    asyncapi: Value,
}

impl Documents {
    fn load() -> Self {
        Documents {
            openapi: load(Document::Openapi.path()),
            asyncapi: load(Document::Asyncapi.path()),
        }
    }

    fn get(&self, document: Document) -> &Value {
        match document {
            Document::Openapi => &self.openapi,
            Document::Asyncapi => &self.asyncapi,
        }
    }
}

/// The value at an RFC 6901 JSON pointer (`""` is the whole document).
fn resolve<'a>(root: &'a Value, pointer: &str) -> Option<&'a Value> {
    if pointer.is_empty() {
        return Some(root);
    }
    let rest = pointer.strip_prefix('/')?;
    rest.split('/').try_fold(root, |node, token| {
        let key = token.replace("~1", "/").replace("~0", "~");
        match node {
            Value::Mapping(map) => map.get(key.as_str()),
            Value::Sequence(items) => items.get(key.parse::<usize>().ok()?),
            _ => None,
        }
    })
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The pointer of every mapping in `value` that carries the mark, whatever its value.
fn marked(value: &Value, pointer: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Mapping(map) => {
            if map.contains_key(MARK) {
                out.insert(pointer.to_owned());
            }
            for (key, item) in map {
                let key = key.as_str().unwrap_or("?");
                marked(item, &format!("{pointer}/{}", escape(key)), out);
            }
        }
        Value::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                marked(item, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn is_marked(element: &Value) -> bool {
    matches!(element.get(MARK), Some(Value::Bool(true)))
}

fn where_(entry: &Entry) -> String {
    format!(
        "{}#{} (contract: {})",
        entry.document.path(),
        entry.pointer,
        entry.contract
    )
}

fn check(listing: &Listing, docs: &Documents) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for (entries, decision) in [(&listing.decisions, true), (&listing.documented, false)] {
        for entry in entries {
            if !seen.insert((entry.document, entry.pointer.as_str())) {
                problems.push(format!("listed twice: {}", where_(entry)));
            }
            match resolve(docs.get(entry.document), &entry.pointer) {
                None => problems.push(format!(
                    "no such element: {}; fix the pointer in {DECISIONS}",
                    where_(entry)
                )),
                Some(element) if !element.is_mapping() => problems.push(format!(
                    "not an object that can carry `{MARK}`: {}",
                    where_(entry)
                )),
                Some(element) if decision && !is_marked(element) => problems.push(format!(
                    "a decision of the contract lacks `{MARK}: true`: {}",
                    where_(entry)
                )),
                Some(element) if !decision && element.get(MARK).is_some() => {
                    problems.push(format!(
                        "documented by the public reference, yet marked `{MARK}`: {}",
                        where_(entry)
                    ))
                }
                Some(_) => {}
            }
        }
    }
    let listed: BTreeSet<(Document, &str)> = listing
        .decisions
        .iter()
        .map(|e| (e.document, e.pointer.as_str()))
        .collect();
    for document in [Document::Openapi, Document::Asyncapi] {
        let mut found = BTreeSet::new();
        marked(docs.get(document), "", &mut found);
        for pointer in found {
            if !listed.contains(&(document, pointer.as_str())) {
                problems.push(format!(
                    "marked `{MARK}` but not a decision listed in {DECISIONS}: {}#{pointer}",
                    document.path()
                ));
            }
        }
    }
    problems
}

#[test]
fn inferred_marks_match_the_contract_decisions() {
    let listing: Listing = load(DECISIONS);
    assert!(
        !listing.decisions.is_empty() && !listing.documented.is_empty(),
        "{DECISIONS} lists nothing"
    );
    let problems = check(&listing, &Documents::load());
    assert!(
        problems.is_empty(),
        "the `{MARK}` marks disagree with the contract:\n- {}",
        problems.join("\n- ")
    );
}

/// The value at a JSON pointer, to change it.
fn resolve_mut<'a>(root: &'a mut Value, pointer: &str) -> &'a mut Value {
    pointer
        .strip_prefix('/')
        .expect("a pointer starts with /")
        .split('/')
        .fold(root, |node, token| {
            let key = token.replace("~1", "/").replace("~0", "~");
            match node {
                Value::Sequence(items) => &mut items[key.parse::<usize>().expect("an index")],
                other => &mut other[key.as_str()],
            }
        })
}

/// The check fails on a decision whose mark is gone, on a documented element that gains
/// one, on a mark nobody listed, and on a pointer that leads nowhere.
#[test]
fn the_check_reports_each_kind_of_disagreement() {
    let mut listing: Listing = load(DECISIONS);
    let mut docs = Documents::load();
    let mark = |docs: &mut Documents, document: Document, pointer: &str, on: bool| {
        let root = match document {
            Document::Openapi => &mut docs.openapi,
            Document::Asyncapi => &mut docs.asyncapi,
        };
        let element = resolve_mut(root, pointer)
            .as_mapping_mut()
            .unwrap_or_else(|| panic!("{pointer} is an object"));
        if on {
            element.insert(MARK.into(), true.into());
        } else {
            element.remove(MARK);
        }
    };
    let decision = &listing.decisions[0];
    let documented = &listing.documented[0];
    let unlisted = "/components/schemas/AgentOutput/properties/content";
    mark(&mut docs, decision.document, &decision.pointer, false);
    mark(&mut docs, documented.document, &documented.pointer, true);
    mark(&mut docs, Document::Openapi, unlisted, true);
    let expected = [
        format!(
            "a decision of the contract lacks `{MARK}: true`: {}#{}",
            decision.document.path(),
            decision.pointer
        ),
        format!(
            "documented by the public reference, yet marked `{MARK}`: {}#{}",
            documented.document.path(),
            documented.pointer
        ),
        format!(
            "marked `{MARK}` but not a decision listed in {DECISIONS}: schema/openapi.yaml#{unlisted}"
        ),
        "no such element: schema/asyncapi.yaml#/components/messages/NoSuchMessage".to_owned(),
    ];
    listing.documented.push(Entry {
        document: Document::Asyncapi,
        pointer: "/components/messages/NoSuchMessage".into(),
        contract: "made up".into(),
    });
    let problems = check(&listing, &docs).join("\n");
    for expected in expected {
        assert!(
            problems.contains(&expected),
            "expected `{expected}` among:\n{problems}"
        );
    }
}
