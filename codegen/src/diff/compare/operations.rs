//! Operations compared: their paths, parameters, bodies and responses.

use std::collections::BTreeMap;

use super::describe::{describe, inline_pair, location, status};
use super::{Diff, RECEIVED, SENT};
use crate::diff::model::{Semver, Wire};
use crate::ir::{Api, Body, Operation, Param, Response};

impl Diff<'_> {
    pub(super) fn operations(&mut self) {
        let old: BTreeMap<&str, &Operation> = self
            .old
            .operations
            .iter()
            .map(|o| (o.id.as_str(), o))
            .collect();
        let new: BTreeMap<&str, &Operation> = self
            .new
            .operations
            .iter()
            .map(|o| (o.id.as_str(), o))
            .collect();
        for (id, op) in &old {
            if !new.contains_key(id) {
                self.push(
                    "operation-removed",
                    format!("operation {id}"),
                    format!("`{} {}` removed", op.method, op.path),
                    Wire::Breaking,
                    Semver::Major,
                );
            }
        }
        for (id, op) in &new {
            match old.get(id) {
                None => self.push(
                    "operation-added",
                    format!("operation {id}"),
                    format!("`{} {}` added", op.method, op.path),
                    Wire::Compatible,
                    Semver::Minor,
                ),
                Some(before) => self.operation(before, op),
            }
        }
    }

    pub(super) fn operation(&mut self, old: &Operation, new: &Operation) {
        let place = format!("operation {}", new.id);
        if old.method != new.method || old.path != new.path {
            self.push(
                "operation-moved",
                place.clone(),
                format!(
                    "`{} {}` is now `{} {}`",
                    old.method, old.path, new.method, new.path
                ),
                Wire::Breaking,
                Semver::Patch,
            );
        }
        self.params(&place, &old.params, &new.params, self.old, self.new);
        self.request_body(&place, old.body.as_ref(), new.body.as_ref());
        self.responses(&place, &old.responses, &new.responses);
        self.header_struct(&place, old, new);
        if old.authenticated != new.authenticated {
            self.push(
                "operation-security-changed",
                place.clone(),
                if new.authenticated {
                    "now needs credentials".into()
                } else {
                    "no longer needs credentials".into()
                },
                if new.authenticated {
                    Wire::Breaking
                } else {
                    Wire::Compatible
                },
                Semver::Patch,
            );
        }
        if old.is_idempotent() != new.is_idempotent() {
            self.push(
                "operation-idempotence-changed",
                place,
                format!(
                    "{} safe to retry",
                    if new.is_idempotent() {
                        "now"
                    } else {
                        "no longer"
                    }
                ),
                Wire::Compatible,
                Semver::Patch,
            );
        }
    }

    /// The request body: added, removed, retyped, or required or not.
    fn request_body(&mut self, place: &str, old: Option<&Body>, new: Option<&Body>) {
        match (old, new) {
            (None, Some(b)) => self.push(
                "request-body-added",
                place.to_owned(),
                format!("a request body (`{}`) added", b.media_type),
                if b.required {
                    Wire::Breaking
                } else {
                    Wire::Compatible
                },
                Semver::Major,
            ),
            (Some(_), None) => self.push(
                "request-body-removed",
                place.to_owned(),
                "the request body removed".into(),
                Wire::Compatible,
                Semver::Major,
            ),
            (Some(a), Some(b)) => {
                let (ta, tb) = (describe(self.old, &a.ty), describe(self.new, &b.ty));
                let inline = inline_pair(self.old, self.new, &a.ty, &b.ty);
                // Inline bodies are compared member by member, also when their shapes read
                // the same (limits and deeper members are not in the shape).
                if a.media_type == b.media_type
                    && let Some((ka, kb)) = inline
                {
                    self.kinds(format!("{place}, request body"), SENT, ka, kb);
                } else if a.media_type != b.media_type || ta != tb {
                    let wire = if a.media_type == b.media_type {
                        self.retyped(SENT, &a.ty, &b.ty)
                    } else {
                        Wire::Breaking
                    };
                    self.push(
                        "request-body-retyped",
                        place.to_owned(),
                        format!(
                            "request body {ta} (`{}`) is now {tb} (`{}`)",
                            a.media_type, b.media_type
                        ),
                        wire,
                        Semver::Major,
                    );
                }
                if !a.required && b.required {
                    self.push(
                        "request-body-required",
                        place.to_owned(),
                        "the request body is now required".into(),
                        Wire::Breaking,
                        Semver::Major,
                    );
                } else if a.required && !b.required {
                    self.push(
                        "request-body-optional",
                        place.to_owned(),
                        "the request body is now optional".into(),
                        Wire::Compatible,
                        Semver::Major,
                    );
                }
            }
            (None, None) => {}
        }
    }

    /// Parameters of an operation or a connection, matched by place and name.
    pub(super) fn params(
        &mut self,
        place: &str,
        old: &[Param],
        new: &[Param],
        old_api: &Api,
        new_api: &Api,
    ) {
        let key = |p: &Param| (location(p.location), p.wire.clone());
        let old: BTreeMap<_, &Param> = old.iter().map(|p| (key(p), p)).collect();
        let new: BTreeMap<_, &Param> = new.iter().map(|p| (key(p), p)).collect();
        for ((at, wire), p) in &old {
            if !new.contains_key(&(*at, wire.clone())) {
                self.push(
                    if p.required {
                        "parameter-removed-required"
                    } else {
                        "parameter-removed-optional"
                    },
                    place.to_owned(),
                    format!("{at} parameter `{wire}` removed"),
                    Wire::Compatible,
                    Semver::Major,
                );
            }
        }
        for ((at, wire), p) in &new {
            // A parameter taken from the body is not an argument of the Rust method.
            let argument = p.from_body.is_none();
            match old.get(&(*at, wire.clone())) {
                None if p.required => self.push(
                    "parameter-added-required",
                    place.to_owned(),
                    format!("required {at} parameter `{wire}` added"),
                    Wire::Breaking,
                    if argument {
                        Semver::Major
                    } else {
                        Semver::Patch
                    },
                ),
                None => self.push(
                    "parameter-added-optional",
                    place.to_owned(),
                    format!("optional {at} parameter `{wire}` added"),
                    Wire::Compatible,
                    Semver::Minor,
                ),
                Some(before) => {
                    self.param_changed(place, (at, wire), before, p, old_api, new_api);
                }
            }
        }
    }

    /// A parameter in both versions: its type, whether it is required, where its value comes
    /// from.
    fn param_changed(
        &mut self,
        place: &str,
        (at, wire): (&str, &str),
        before: &Param,
        p: &Param,
        old_api: &Api,
        new_api: &Api,
    ) {
        // A parameter taken from the body is not an argument of the Rust method.
        let argument = p.from_body.is_none();
        let (ta, tb) = (describe(old_api, &before.ty), describe(new_api, &p.ty));
        if let Some((a, b)) = inline_pair(old_api, new_api, &before.ty, &p.ty) {
            self.kinds(format!("{place}, {at} parameter {wire}"), SENT, a, b);
        } else if ta != tb {
            self.push(
                "parameter-retyped",
                place.to_owned(),
                format!("{at} parameter `{wire}`: {ta} is now {tb}"),
                self.retyped(SENT, &before.ty, &p.ty),
                Semver::Major,
            );
        }
        if !before.required && p.required {
            self.push(
                "parameter-required",
                place.to_owned(),
                format!("{at} parameter `{wire}` is now required"),
                Wire::Breaking,
                if argument {
                    Semver::Major
                } else {
                    Semver::Patch
                },
            );
        } else if before.required && !p.required {
            self.push(
                "parameter-optional",
                place.to_owned(),
                format!("{at} parameter `{wire}` is now optional"),
                Wire::Compatible,
                Semver::Major,
            );
        }
        if before.from_body != p.from_body {
            self.push(
                "parameter-source-changed",
                place.to_owned(),
                format!("{at} parameter `{wire}` is now taken from another place"),
                Wire::Compatible,
                Semver::Major,
            );
        }
    }

    pub(super) fn responses(&mut self, place: &str, old: &[Response], new: &[Response]) {
        let old: BTreeMap<String, &Response> = old.iter().map(|r| (status(r.status), r)).collect();
        let new: BTreeMap<String, &Response> = new.iter().map(|r| (status(r.status), r)).collect();
        for (code, r) in &old {
            if !new.contains_key(code) {
                let success = r.status.is_success();
                self.push(
                    "response-removed",
                    place.to_owned(),
                    format!("response {code} removed"),
                    if success {
                        Wire::Breaking
                    } else {
                        Wire::Compatible
                    },
                    if success {
                        Semver::Major
                    } else {
                        Semver::Patch
                    },
                );
            }
        }
        for (code, r) in &new {
            let Some(before) = old.get(code) else {
                let success = r.status.is_success();
                self.push(
                    "response-added",
                    place.to_owned(),
                    format!("response {code} added"),
                    if success {
                        Wire::StrictDecoders
                    } else {
                        Wire::Compatible
                    },
                    if success {
                        Semver::Major
                    } else {
                        Semver::Patch
                    },
                );
                continue;
            };
            self.response_changed(place, code, before, r);
        }
    }

    /// A response in both versions: its body and headers.
    fn response_changed(&mut self, place: &str, code: &str, before: &Response, r: &Response) {
        let ta = before.body.as_ref().map(|b| describe(self.old, &b.ty));
        let tb = r.body.as_ref().map(|b| describe(self.new, &b.ty));
        let inline = before
            .body
            .as_ref()
            .zip(r.body.as_ref())
            .and_then(|(a, b)| inline_pair(self.old, self.new, &a.ty, &b.ty));
        if let Some((ka, kb)) = inline {
            self.kinds(format!("{place}, response {code}"), RECEIVED, ka, kb);
        } else if ta != tb {
            // A body where there was none is ignored by old clients.
            let wire = match (&before.body, &r.body) {
                (Some(a), Some(b)) => self.retyped(RECEIVED, &a.ty, &b.ty),
                (None, _) => Wire::Compatible,
                (Some(_), None) => Wire::Breaking,
            };
            self.push(
                "response-body-retyped",
                place.to_owned(),
                format!(
                    "response {code}: {} is now {}",
                    ta.unwrap_or_else(|| "no body".into()),
                    tb.unwrap_or_else(|| "no body".into())
                ),
                wire,
                Semver::Major,
            );
        }
        self.response_headers(place, code, before, r);
    }
}
