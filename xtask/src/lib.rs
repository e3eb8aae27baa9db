//! What `cargo xtask codegen` generates and how ([`generation`]), as a library so that the
//! snapshot tests check the same targets without xtask depending on the tests. The tasks
//! themselves, and the tool installers, are in the binary.

pub mod generation;
