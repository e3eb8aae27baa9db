//! Response headers: each response's, and the struct an operation's success headers are
//! read into (a member of it per header, its name the type in the call's result).

use std::collections::BTreeMap;

use super::Diff;
use crate::diff::model::{Semver, Wire};
use crate::ir::{Operation, Response};

impl Diff<'_> {
    /// The headers of a response in both versions, matched by name. Those of a success
    /// response are members of the operation's header struct: one removed breaks code that
    /// reads it, one added is a new member of a `#[non_exhaustive]` struct.
    pub(super) fn response_headers(
        &mut self,
        place: &str,
        code: &str,
        before: &Response,
        r: &Response,
    ) {
        let headers = |r: &Response| -> BTreeMap<String, bool> {
            r.headers
                .iter()
                .map(|h| (h.wire.to_ascii_lowercase(), h.required))
                .collect()
        };
        let (ha, hb) = (headers(before), headers(r));
        let typed = r.status.is_success();
        for (name, required) in &ha {
            if !hb.contains_key(name) {
                self.push(
                    "response-header-removed",
                    place.to_owned(),
                    format!("response {code}: header `{name}` removed"),
                    if *required {
                        Wire::Breaking
                    } else {
                        Wire::Compatible
                    },
                    if typed { Semver::Major } else { Semver::Patch },
                );
            }
        }
        for name in hb.keys() {
            if !ha.contains_key(name) {
                self.push(
                    "response-header-added",
                    place.to_owned(),
                    format!("response {code}: header `{name}` added"),
                    Wire::Compatible,
                    if typed { Semver::Minor } else { Semver::Patch },
                );
            }
        }
    }

    /// The struct the success headers are read into: a new name changes the type of the
    /// call's result (`ApiResponse<T, H>`), which code naming it sees.
    pub(super) fn header_struct(&mut self, place: &str, old: &Operation, new: &Operation) {
        let name = |op: &Operation| op.success_headers.as_ref().map(|h| h.name.clone());
        let (before, after) = (name(old), name(new));
        let (detail, rust) = match (&before, &after) {
            (Some(a), Some(b)) if a != b => (
                format!("its documented headers are read into `{b}`, no longer `{a}`"),
                Semver::Major,
            ),
            (None, Some(b)) => (
                format!("its documented headers are read into `{b}`"),
                Semver::Major,
            ),
            (Some(a), None) => (
                format!("no documented headers any more: `{a}` is gone from its result"),
                Semver::Major,
            ),
            _ => return,
        };
        self.push(
            "response-headers-struct-changed",
            place.to_owned(),
            detail,
            Wire::Compatible,
            rust,
        );
    }
}
