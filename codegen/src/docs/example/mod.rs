//! Examples: JSON values for a type (the schema's own where it has one, otherwise made up
//! from the type), the Rust snippet that calls an operation through the generated client,
//! and the Rust snippets that use a channel's connection.
//!
//! Channel examples are written as tokens (`quote!`, with the names the Rust back-end
//! gives) and formatted by `prettyplease`, as the generated crate itself is: spec text only
//! ever becomes literals and sanitized identifiers.

mod call;
mod channel;
mod literal;
mod values;
mod writer;

pub use call::{CallCode, call_code, rust_call};
pub use channel::{Scenario, channel_scenarios, rust_channel, scenario_function};
pub use values::{
    base_url, body_json, body_value, crate_path, message_value, method_name, param_value, pretty,
    rust_ident,
};

#[cfg(test)]
mod tests;
