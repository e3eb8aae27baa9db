//! Shared support for the project's tests: the pinned third-party tools and the
//! local servers that stand in for the Autessa API.

pub mod generation;
pub mod mock;
pub mod tools;
