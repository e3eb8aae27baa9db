//! Reading an item written inline or through `$ref`, with what cannot be read reported
//! where it stands.

use openapiv3::ReferenceOr;
use serde::de::DeserializeOwned;

use crate::diag::Location;
use crate::lower::schema::Types;

/// The location of an item written inline or through `$ref`.
pub(super) fn target<T>(
    types: &mut Types<'_>,
    loc: &Location,
    item: &ReferenceOr<T>,
) -> Option<Location> {
    match item {
        ReferenceOr::Item(_) => Some(loc.clone()),
        ReferenceOr::Reference { reference } => {
            match types
                .sources()
                .resolve(&loc.join("$ref"), reference)
                .and_then(|l| types.sources().follow(&l))
            {
                Ok(l) => Some(l),
                Err(d) => {
                    types.diags.push(d);
                    None
                }
            }
        }
    }
}

/// The value at `loc` read as `what`, or nothing with an error.
pub(super) fn parse<T: DeserializeOwned>(
    types: &mut Types<'_>,
    loc: &Location,
    what: &str,
) -> Option<T> {
    match types.sources().parse(loc, what) {
        Ok(v) => Some(v),
        Err(d) => {
            types.diags.push(d);
            None
        }
    }
}

/// The item written inline or through `$ref` at `loc`, read as `what`.
pub(super) fn resolve<T: DeserializeOwned>(
    types: &mut Types<'_>,
    loc: &Location,
    item: &ReferenceOr<T>,
    what: &str,
) -> Option<T> {
    let at = target(types, loc, item)?;
    parse(types, &at, what)
}
