//! What changed between two versions of an API, read from their IRs. Every change has two
//! verdicts: on the wire (does a client built for the old documents still work against a
//! server of the new ones) and in Rust (the semver effect on code using the generated crate,
//! whose API is built to evolve: non-exhaustive types, `new` and `with_` setters, calls with
//! optional parameters as setters).

mod compare;
mod fit;
mod model;
mod report;
mod usage;

pub use compare::compare;
pub use model::{Change, Report, Semver, Wire};
pub use report::{bump, changelog};
pub use usage::breaking_operations;

#[cfg(test)]
mod tests;
