//! Limits on a member's values compared keyword by keyword: which got tighter (refusing
//! values that were valid) and which looser (allowing values that were not).

use std::cmp::Ordering;

use crate::ir::Constraints;

/// The changed limits, each as "`keyword` old → new".
#[derive(Default)]
pub(super) struct Limits {
    pub(super) tighter: Vec<String>,
    pub(super) looser: Vec<String>,
}

impl Limits {
    /// The limits of `new` against those of `old`.
    pub(super) fn compare(old: &Constraints, new: &Constraints) -> Limits {
        let mut limits = Limits::default();
        limits.sizes(old, new);
        limits.bounds(old, new);
        let order = match (&old.pattern, &new.pattern) {
            (a, b) if a == b => Some(Ordering::Equal),
            (Some(_), None) => Some(Ordering::Less),
            _ => None,
        };
        limits.judge(
            "pattern",
            order,
            text(old.pattern.clone()),
            text(new.pattern.clone()),
        );
        limits
    }

    /// Files a change by how much tighter the new limit is; one that cannot be ordered
    /// counts as tighter.
    fn judge(&mut self, keyword: &str, order: Option<Ordering>, was: String, is: String) {
        let line = format!("`{keyword}` {was} → {is}");
        match order {
            Some(Ordering::Less) => self.looser.push(line),
            Some(Ordering::Greater) => self.tighter.push(line),
            Some(Ordering::Equal) => {}
            None => self.tighter.push(line),
        }
    }

    /// Lengths and item counts.
    fn sizes(&mut self, old: &Constraints, new: &Constraints) {
        for (keyword, a, b) in [
            ("minLength", old.min_length, new.min_length),
            ("minItems", old.min_items, new.min_items),
        ] {
            let order = a.unwrap_or(0).cmp(&b.unwrap_or(0)).reverse();
            self.judge(
                keyword,
                Some(order),
                text(a.map(|n| n.to_string())),
                text(b.map(|n| n.to_string())),
            );
        }
        for (keyword, a, b) in [
            ("maxLength", old.max_length, new.max_length),
            ("maxItems", old.max_items, new.max_items),
        ] {
            let order = b.unwrap_or(u64::MAX).cmp(&a.unwrap_or(u64::MAX)).reverse();
            self.judge(
                keyword,
                Some(order),
                text(a.map(|n| n.to_string())),
                text(b.map(|n| n.to_string())),
            );
        }
    }

    /// `minimum` and `maximum`, exclusive or not.
    fn bounds(&mut self, old: &Constraints, new: &Constraints) {
        let bound = |b: Option<(f64, bool)>| {
            text(b.map(|(n, exclusive)| {
                if exclusive {
                    format!("{n} (exclusive)")
                } else {
                    n.to_string()
                }
            }))
        };
        // A bound as a point on the line: an exclusive one sits just inside its value.
        let lower = |b: Option<(f64, bool)>| b.map(|(n, x)| (n, x as u8));
        let upper = |b: Option<(f64, bool)>| b.map(|(n, x)| (-n, x as u8));
        let tightness = |a: Option<(f64, u8)>, b: Option<(f64, u8)>| match (a, b) {
            (None, None) => Some(Ordering::Equal),
            (None, Some(_)) => Some(Ordering::Greater),
            (Some(_), None) => Some(Ordering::Less),
            (Some(a), Some(b)) => b.partial_cmp(&a),
        };
        let order = tightness(lower(old.minimum), lower(new.minimum));
        self.judge("minimum", order, bound(old.minimum), bound(new.minimum));
        let order = tightness(upper(old.maximum), upper(new.maximum));
        self.judge("maximum", order, bound(old.maximum), bound(new.maximum));
    }
}

/// A limit's value, or "none".
fn text(v: Option<String>) -> String {
    v.unwrap_or_else(|| "none".into())
}
