//! Security schemes and servers compared: how and where clients connect.

use std::collections::BTreeMap;

use super::Diff;
use crate::diff::model::{Semver, Wire};
use crate::ir::Api;

impl Diff<'_> {
    pub(super) fn security(&mut self) {
        let schemes = |api: &Api| -> BTreeMap<String, String> {
            api.security
                .iter()
                .map(|s| (s.key.clone(), format!("{:?}", s.kind)))
                .collect()
        };
        let (a, b) = (schemes(self.old), schemes(self.new));
        for (key, kind) in &a {
            match b.get(key) {
                None => self.push(
                    "security-scheme-removed",
                    format!("security scheme {key}"),
                    "removed".into(),
                    Wire::Breaking,
                    Semver::Major,
                ),
                Some(other) if other != kind => self.push(
                    "security-scheme-changed",
                    format!("security scheme {key}"),
                    "the key travels another way".into(),
                    Wire::Breaking,
                    Semver::Patch,
                ),
                Some(_) => {}
            }
        }
        for key in b.keys() {
            if !a.contains_key(key) {
                self.push(
                    "security-scheme-added",
                    format!("security scheme {key}"),
                    "added".into(),
                    Wire::Compatible,
                    Semver::Patch,
                );
            }
        }
    }

    pub(super) fn servers(&mut self) {
        let first = |api: &Api| api.servers.first().map(|s| s.url.clone());
        let (a, b) = (first(self.old), first(self.new));
        if a != b {
            self.push(
                "server-changed",
                "servers".into(),
                format!(
                    "the default server `{}` is now `{}`",
                    a.unwrap_or_default(),
                    b.unwrap_or_default()
                ),
                Wire::Compatible,
                Semver::Patch,
            );
        }
    }
}
