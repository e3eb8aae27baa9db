//! Shared support for the project's tests: the local servers that stand in for the
//! Autessa API, a headless browser, and GitHub's description as the change report reads it.
//!
//! The third-party tools are installed by xtask, never here: tests locate them through
//! `autessa_tools` (the `AUTESSA_*` variables `cargo xtask test` sets) and are `#[ignore]`d
//! when they need one, so that a plain `cargo test` needs no npm, apt or network. What is
//! generated, and where, is xtask's too (`xtask::generation`).

pub mod browser;
pub mod cdp;
pub mod mock;
pub mod octokit;

/// The README's Rust example, compiled as a doctest so it cannot drift from the client.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExample;
