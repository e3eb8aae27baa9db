//! Shared support for the project's tests: the pinned third-party tools and the
//! local servers that stand in for the Autessa API.

pub mod browser;
pub mod cargo_tools;
pub mod cdp;
pub mod debian;
pub mod generation;
pub mod mock;
pub mod octokit;
pub mod prism;
pub mod tools;

/// The README's Rust example, compiled as a doctest so it cannot drift from the client.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExample;
