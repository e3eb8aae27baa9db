//! Where a pinned tool is: the `AUTESSA_*` variable that names it, or what to run when it
//! is not set.

use std::path::PathBuf;

/// What to run when a tool is not located.
pub const HOW: &str = "The tests that need the pinned tools run with `cargo xtask test`, \
    which installs them and names each in its AUTESSA_* variable; to run one such test \
    alone, `eval \"$(cargo xtask tools)\"` first, then \
    `cargo test -p autessa-tests --test NAME -- --include-ignored`";

/// The path environment variable `var` names, which must exist; `what` names the tool in
/// the error, which also says how to get the variable set ([`HOW`]).
pub fn locate(var: &str, what: &str) -> Result<PathBuf, String> {
    match std::env::var_os(var).filter(|v| !v.is_empty()) {
        None => Err(format!("{what} is not located: {var} is not set.\n{HOW}")),
        Some(path) => {
            let path = PathBuf::from(path);
            if path.exists() {
                Ok(path)
            } else {
                Err(format!(
                    "{what} is not located: {var}={} does not exist.\n{HOW}",
                    path.display()
                ))
            }
        }
    }
}

/// Like [`locate`], for tests: panics with its message.
pub fn require(var: &str, what: &str) -> PathBuf {
    locate(var, what).unwrap_or_else(|e| panic!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_variable_says_what_to_run() {
        let error = locate("AUTESSA_NO_SUCH_TOOL_VARIABLE", "a tool").unwrap_err();
        assert!(
            error.contains("AUTESSA_NO_SUCH_TOOL_VARIABLE is not set"),
            "{error}"
        );
        assert!(error.contains("cargo xtask test"), "{error}");
    }
}
