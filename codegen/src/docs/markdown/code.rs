//! A fenced code block (JSON, Rust and shell examples), laid out by `blocks/code.md`.

use askama::Template;

use super::syntax::longest_run;

/// Code shown verbatim: the fence is longer than any run of backticks inside.
#[derive(Template)]
#[template(path = "docs/blocks/code.md", escape = "none")]
pub struct CodeBlock {
    fence: String,
    info: String,
    code: String,
}

impl CodeBlock {
    pub fn new(info: &str, code: &str) -> CodeBlock {
        let code = code.trim_end_matches('\n');
        CodeBlock {
            fence: "`".repeat(longest_run(code, '`').max(2) + 1),
            info: info.to_owned(),
            code: code.to_owned(),
        }
    }
}
