//! Documented response headers: the struct each operation's success headers are read into,
//! and the headers the server reports its request budget in (`x-rate-limit`).

use serde::Deserialize;

use crate::diag::{Diagnostic, Location};
use crate::ir::{Api, Header, HeaderSet, Quota, Response, SuccessHeaders};
use crate::lower::names::{self, Scope};
use crate::lower::schema::Types;

/// Gives each operation whose success responses document headers a struct of them; the
/// operations with the same headers share one.
///
/// Each such operation has a name of its own for its headers, `<Call>Headers`, which stays
/// as long as the operation does: a struct used by one operation has that name; one shared
/// by several is named after the words all its headers start with (`RateLimit` for
/// `X-RateLimit-*`), else after its first operation, and the others' names are aliases.
pub(super) fn header_sets(types: &mut Types<'_>, api: &mut Api) {
    let mut sets: Vec<HeaderSet> = Vec::new();
    let mut uses: Vec<(usize, usize)> = Vec::new();
    for (op_index, op) in api.operations.iter().enumerate() {
        let headers = success_headers(&op.responses);
        if headers.is_empty() {
            continue;
        }
        let set = match sets.iter().position(|s| same_headers(&s.headers, &headers)) {
            Some(set) => set,
            None => {
                sets.push(HeaderSet {
                    name: String::new(),
                    headers,
                    operations: Vec::new(),
                });
                sets.len() - 1
            }
        };
        sets[set].operations.push(op.id.clone());
        uses.push((op_index, set));
    }
    for &(op_index, set) in &uses {
        let op = &mut api.operations[op_index];
        let name = types.claim_name(&format!("{}Headers", op.call));
        if sets[set].name.is_empty() && sets[set].operations.len() == 1 {
            sets[set].name.clone_from(&name);
        }
        op.success_headers = Some(SuccessHeaders { set, name });
    }
    for (index, set) in sets.iter_mut().enumerate() {
        if !set.name.is_empty() {
            continue;
        }
        set.name = match common_words(&set.headers) {
            Some(words) => types.claim_name(&format!("{words}Headers")),
            None => api
                .operations
                .iter()
                .filter_map(|op| op.success_headers.as_ref())
                .find(|h| h.set == index)
                .map(|h| h.name.clone())
                .unwrap_or_default(),
        };
    }
    api.header_sets = sets;
}

/// The headers of the success responses, each once (the first of those whose names differ
/// only in case), with member names unique among them.
fn success_headers(responses: &[Response]) -> Vec<Header> {
    let mut headers: Vec<Header> = Vec::new();
    let mut members = Scope::snake();
    for r in responses.iter().filter(|r| r.status.is_success()) {
        for h in &r.headers {
            if headers
                .iter()
                .any(|seen| seen.wire.eq_ignore_ascii_case(&h.wire))
            {
                continue;
            }
            let name = members.claim(names::snake(&h.wire, "header"));
            headers.push(Header { name, ..h.clone() });
        }
    }
    headers
}

fn same_headers(a: &[Header], b: &[Header]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(a, b)| {
            a.wire.eq_ignore_ascii_case(&b.wire) && a.ty == b.ty && a.required == b.required
        })
}

/// The words every header name starts with, `X-` aside, in `PascalCase` (`RateLimit` for
/// `X-RateLimit-Limit` and `X-RateLimit-Remaining`); `None` when they share none.
fn common_words(headers: &[Header]) -> Option<String> {
    let words = |wire: &str| -> Vec<String> {
        let mut words: Vec<String> = wire
            .split(['-', '_'])
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        if words.len() > 1 && words[0] == "x" {
            words.remove(0);
        }
        words
    };
    let first = words(&headers[0].wire);
    let mut common = first.len();
    for h in &headers[1..] {
        let other = words(&h.wire);
        common = common.min(first.iter().zip(&other).take_while(|(a, b)| a == b).count());
    }
    // Keep the spelling of the first header (`RateLimit`, not `Ratelimit`).
    let original: Vec<&str> = headers[0]
        .wire
        .split(['-', '_'])
        .filter(|w| !w.is_empty())
        .collect();
    let skip = original.len() - first.len();
    let kept = original.get(skip..skip + common)?.join("-");
    let name = names::pascal(&kept, "", "");
    (!name.is_empty()).then_some(name)
}

/// `x-rate-limit` at the root of the document.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RateLimitExtension {
    remaining: String,
    limit: Option<String>,
    window_seconds: u64,
}

/// Reads `x-rate-limit`: which response headers carry the request budget.
pub(super) fn quota(types: &mut Types<'_>, api: &mut Api, root: &Location) {
    let loc = root.join("x-rate-limit");
    let Some(value) = types.sources().get(&loc) else {
        return;
    };
    let ext = match RateLimitExtension::deserialize(value) {
        Ok(ext) => ext,
        Err(e) => {
            let message = format!(
                "`x-rate-limit` must be {{remaining: <header>, limit: <header>, \
                 window-seconds: <integer>}} (limit optional): {e}"
            );
            types.diags.push(Diagnostic::error(&loc, message));
            return;
        }
    };
    if ext.window_seconds == 0 {
        let message = "`window-seconds` must be at least 1".to_owned();
        types
            .diags
            .push(Diagnostic::error(&loc.join("window-seconds"), message));
    }
    let remaining = header_name(types, &loc.join("remaining"), &ext.remaining);
    let limit = match &ext.limit {
        Some(limit) => header_name(types, &loc.join("limit"), limit).map(Some),
        None => Some(None),
    };
    if let (Some(remaining), Some(limit)) = (remaining, limit) {
        for name in std::iter::once(&remaining).chain(&limit) {
            if !documented(api, name) {
                let message = format!("no response documents the header `{name}`");
                types.diags.push(Diagnostic::warning(&loc, message));
            }
        }
        api.quota = Some(Quota {
            remaining,
            limit,
            window_seconds: ext.window_seconds,
        });
    }
}

/// `name` in lower case, when it is a valid HTTP header name (a token).
fn header_name(types: &mut Types<'_>, loc: &Location, name: &str) -> Option<String> {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if !name.is_empty() && name.chars().all(token) {
        return Some(name.to_ascii_lowercase());
    }
    let message = format!("`{name}` is not an HTTP header name");
    types.diags.push(Diagnostic::error(loc, message));
    None
}

fn documented(api: &Api, name: &str) -> bool {
    let headers = api.operations.iter().flat_map(|op| &op.responses);
    headers
        .flat_map(|r| &r.headers)
        .any(|h| h.wire.eq_ignore_ascii_case(name))
}
