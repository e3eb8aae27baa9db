//! Prism (`prism mock`) serving an OpenAPI document (by default `schema/openapi.yaml`) on
//! `127.0.0.1`, for the conformance tests and `cargo xtask corpus --smoke`.
//!
//! [`Prism::start`] runs the pinned Prism's executable ([`crate::PRISM`]: the one
//! `AUTESSA_PRISM` names, or the one the options give) straight from `node_modules/.bin/`
//! (so the child's process id is Prism's own, not a wrapper's) on a free port, captures
//! everything it logs, and returns once Prism says it is listening, or fails after a bounded
//! wait with the log so far. It installs nothing.
//!
//! A Prism never outlives what started it:
//!
//! - dropping a [`Prism`] kills the process and reaps it;
//! - every Prism also gets a small preload script (through `NODE_OPTIONS=--require`) that
//!   exits as soon as its standard input reaches end of file. The test process holds the only
//!   write end of that pipe, so when the test process ends for any reason (a normal exit, a
//!   panic, `SIGKILL`), the kernel closes it and Prism exits too. This is what stops the
//!   per-process instance of [`Prism::shared`], which lives in a `static` and is never dropped.
//!
//! Prism judges every request against the document: a request that breaks it is answered
//! `422` (or `401` for a missing key), the violations are listed in the `sl-violations`
//! response header and logged by its `VALIDATOR` as warnings and errors.
//! [`Prism::complaints_since`] finds those lines in the captured log.
//!
//! ```no_run
//! use autessa_tools::prism::Prism;
//! let prism = Prism::shared();
//! let mark = prism.log_mark();
//! // ... send requests to prism.base_url() ...
//! prism.settle();
//! assert_eq!(prism.complaints_since(mark), Vec::<String>::new());
//! ```

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::{PRISM, TOOL_ENV, workspace_root};

mod preload;

use preload::{node_options, preload_script_path, write_preload_script};

/// The log line Prism prints once it accepts connections.
const LISTENING: &str = "Prism is listening on";

/// How to run Prism.
#[derive(Clone, Debug)]
pub struct PrismOptions {
    /// Prism's executable; `None` for the one `AUTESSA_PRISM` names (the tests' case;
    /// xtask, which installs Prism, gives its path).
    pub prism: Option<PathBuf>,
    /// The OpenAPI document to serve.
    pub document: PathBuf,
    /// `--dynamic`: answer every request with random data generated from the response
    /// schema instead of the examples (one request can also ask with `Prefer: dynamic=true`).
    pub dynamic: bool,
    /// `--seed`: makes the dynamic data deterministic for a given sequence of requests.
    pub seed: Option<u64>,
    /// How long to wait for Prism to listen before giving up.
    pub startup_timeout: Duration,
}

impl Default for PrismOptions {
    /// The located Prism, `schema/openapi.yaml` of the workspace, static examples, no seed,
    /// 90 seconds to start.
    fn default() -> Self {
        Self {
            prism: None,
            document: workspace_root().join("schema").join("openapi.yaml"),
            dynamic: false,
            seed: None,
            startup_timeout: Duration::from_secs(90),
        }
    }
}

/// Why Prism could not be started.
#[derive(Debug, thiserror::Error)]
pub enum PrismError {
    #[error("{0}")]
    Locate(String),
    #[error("could not prepare Prism's preload script {path}: {source}")]
    Preload {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not find a free port on 127.0.0.1: {0}")]
    Port(std::io::Error),
    #[error("could not spawn {bin}: {source}")]
    Spawn {
        bin: PathBuf,
        source: std::io::Error,
    },
    #[error("Prism exited ({status}) before listening; its log:\n{log}")]
    Exited { status: String, log: String },
    #[error("Prism did not listen within {timeout:?}; it was killed; its log:\n{log}")]
    Timeout { timeout: Duration, log: String },
}

/// A running `prism mock` (see the module docs). Dropping it kills the process.
pub struct Prism {
    child: Child,
    stdin: Option<ChildStdin>,
    port: u16,
    base_url: String,
    command_line: String,
    log: Arc<Log>,
    readers: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Prism {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prism")
            .field("pid", &self.child.id())
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// Prism's captured output, one entry per line, stdout and stderr interleaved as they arrive.
#[derive(Default)]
struct Log {
    lines: Mutex<Vec<String>>,
    changed: Condvar,
}

impl Log {
    fn push(&self, line: String) {
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(line);
        self.changed.notify_all();
    }

    fn snapshot(&self) -> Vec<String> {
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn len(&self) -> usize {
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl Prism {
    /// Starts Prism as `options` say (see the module docs). Retries twice on another port if
    /// the free port found was taken before Prism could bind it.
    pub fn start(options: &PrismOptions) -> Result<Prism, PrismError> {
        let bin = match &options.prism {
            Some(bin) => bin.clone(),
            None => PRISM.locate().map_err(PrismError::Locate)?,
        };
        let preload = preload_script_path();
        write_preload_script(&preload).map_err(|source| PrismError::Preload {
            path: preload.clone(),
            source,
        })?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match Self::start_once(&bin, &preload, options) {
                Err(PrismError::Exited { log, .. })
                    if attempt < 3 && log.contains("EADDRINUSE") =>
                {
                    continue;
                }
                other => return other,
            }
        }
    }

    /// The instance shared by every test of the current test binary, started on first use
    /// with [`PrismOptions::default`]. It is never dropped: it exits with the test process
    /// (see the module docs).
    ///
    /// # Panics
    ///
    /// If Prism cannot be started (then every later call panics too).
    pub fn shared() -> &'static Prism {
        static SHARED: OnceLock<Result<Prism, String>> = OnceLock::new();
        match SHARED
            .get_or_init(|| Prism::start(&PrismOptions::default()).map_err(|e| e.to_string()))
        {
            Ok(prism) => prism,
            Err(error) => panic!("the shared Prism could not be started: {error}"),
        }
    }

    fn start_once(bin: &Path, preload: &Path, options: &PrismOptions) -> Result<Prism, PrismError> {
        let port = free_port().map_err(PrismError::Port)?;
        let mut command = Command::new(bin);
        command
            .envs(TOOL_ENV.iter().copied())
            .current_dir(workspace_root())
            .env("NODE_OPTIONS", node_options(preload))
            // No colours, no terminal tricks: the log is parsed.
            .env("FORCE_COLOR", "0")
            .env("NO_COLOR", "1")
            .arg("mock")
            .arg(&options.document)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()]);
        if options.dynamic {
            command.arg("--dynamic");
        }
        if let Some(seed) = options.seed {
            command.args(["--seed", &seed.to_string()]);
        }
        let command_line = format!("{command:?}");
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().map_err(|source| PrismError::Spawn {
            bin: bin.to_owned(),
            source,
        })?;
        let log = Arc::new(Log::default());
        let mut readers = Vec::new();
        if let Some(stdout) = child.stdout.take() {
            readers.push(read_lines(stdout, Arc::clone(&log)));
        }
        if let Some(stderr) = child.stderr.take() {
            readers.push(read_lines(stderr, Arc::clone(&log)));
        }
        let stdin = child.stdin.take();
        let mut prism = Prism {
            child,
            stdin,
            port,
            base_url: format!("http://127.0.0.1:{port}"),
            command_line,
            log,
            readers,
        };
        prism.wait_until_listening(options.startup_timeout)?;
        Ok(prism)
    }

    /// Waits for the "listening" line, the process's exit, or the timeout.
    fn wait_until_listening(&mut self, timeout: Duration) -> Result<(), PrismError> {
        let deadline = Instant::now() + timeout;
        let mut lines = self
            .log
            .lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            if lines.iter().any(|line| line.contains(LISTENING)) {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                drop(lines);
                // Let the readers drain what the process wrote before it exited.
                for reader in self.readers.drain(..) {
                    let _ = reader.join();
                }
                return Err(PrismError::Exited {
                    status: status.to_string(),
                    log: self.log.snapshot().join("\n"),
                });
            }
            let now = Instant::now();
            if now >= deadline {
                drop(lines);
                return Err(PrismError::Timeout {
                    timeout,
                    log: self.log.snapshot().join("\n"),
                });
            }
            let wait = (deadline - now).min(Duration::from_millis(50));
            lines = self
                .log
                .changed
                .wait_timeout(lines, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The port Prism listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Prism's process id (the process is Prism itself, not a wrapper).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The command Prism was started with, for failure messages.
    pub fn command_line(&self) -> &str {
        &self.command_line
    }

    /// Every line Prism has logged so far.
    pub fn log(&self) -> Vec<String> {
        self.log.snapshot()
    }

    /// The number of lines logged so far, to pass to [`log_since`](Self::log_since) and
    /// [`complaints_since`](Self::complaints_since) later.
    pub fn log_mark(&self) -> usize {
        self.log.len()
    }

    /// The lines logged after `mark`.
    pub fn log_since(&self, mark: usize) -> Vec<String> {
        let lines = self.log.snapshot();
        lines
            .get(mark..)
            .map(<[String]>::to_vec)
            .unwrap_or_default()
    }

    /// The warnings, errors and violations logged after `mark` (see [`is_complaint`]).
    pub fn complaints_since(&self, mark: usize) -> Vec<String> {
        self.log_since(mark)
            .into_iter()
            .filter(|line| is_complaint(line))
            .collect()
    }

    /// Waits until Prism has logged nothing new for 200 ms (at most 3 s), so that the lines
    /// about requests already answered are in the log before it is read.
    pub fn settle(&self) {
        let start = Instant::now();
        let mut seen = self.log.len();
        let mut quiet_since = Instant::now();
        while start.elapsed() < Duration::from_secs(3) {
            std::thread::sleep(Duration::from_millis(25));
            let now = self.log.len();
            if now != seen {
                seen = now;
                quiet_since = Instant::now();
            } else if quiet_since.elapsed() >= Duration::from_millis(200) {
                return;
            }
        }
    }

    /// Closes Prism's standard input, as the end of the test process would: Prism then exits
    /// by itself (see the module docs).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits up to `timeout` for the process to exit by itself; whether it did.
    pub fn wait_for_exit(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if !self.is_running() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        !self.is_running()
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.stdin = None;
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }
}

/// Whether a line of Prism's log is a complaint: its level is `warning`, `error` or `fatal`
/// (Prism logs a request that fails validation as a `VALIDATOR` warning followed by one error
/// per violation), or it reports a `Violation:`.
///
/// A line looks like `[4:17:22 PM] ›     [VALIDATOR] ⚠  warning   Request did not pass ...`:
/// the level is the word after the first one-character symbol.
pub fn is_complaint(line: &str) -> bool {
    if line.contains("Violation:") {
        return true;
    }
    let tokens: Vec<&str> = line.split_whitespace().collect();
    tokens.windows(2).any(|pair| {
        let symbol = pair[0];
        symbol.chars().count() == 1
            && !symbol.chars().all(|c| c.is_ascii_alphanumeric())
            && symbol != "›"
            && matches!(pair[1], "warning" | "error" | "fatal")
    })
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_port() -> std::io::Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?.port())
}

/// Reads `stream` line by line into `log` until it ends, dropping terminal colour codes.
fn read_lines(stream: impl Read + Send + 'static, log: Arc<Log>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut buffer = Vec::new();
        loop {
            buffer.clear();
            match reader.read_until(b'\n', &mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buffer);
                    log.push(strip_ansi(line.trim_end_matches(['\n', '\r'])));
                }
            }
        }
    })
}

/// `text` without ANSI escape sequences (`ESC [ ... letter`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for next in chars.by_ref() {
                    if next.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complaints_are_warnings_errors_and_violations() {
        let lines = [
            "[4:17:22 PM] ›     [VALIDATOR] ⚠  warning   Request did not pass the validation rules",
            "[4:17:22 PM] ›     [VALIDATOR] ✖  error     Request body property agentId must be integer",
            "[4:17:22 PM] ›     [VALIDATOR] ✖  error     Violation: request.body.agentId must be integer",
            "[4:17:22 PM] ›     [VALIDATOR] ✔  success   The request passed the validation rules. Looking for the best response",
            "[4:17:22 PM] › [HTTP SERVER] post /clients/agents/execute ℹ  info      Request received",
            "[4:17:22 PM] ›     [NEGOTIATOR] ℹ  info      > Responding with \"200\"",
            "[4:17:20 PM] › [CLI] ▶  start     Prism is listening on http://127.0.0.1:4599",
            "[4:17:22 PM] ›     [NEGOTIATOR] ✔  success   Found response errors warning error",
        ];
        let complaints: Vec<bool> = lines.iter().map(|line| is_complaint(line)).collect();
        assert_eq!(
            complaints,
            [true, true, true, false, false, false, false, false]
        );
    }

    #[test]
    fn colour_codes_are_dropped() {
        assert_eq!(strip_ansi("\u{1b}[33m⚠\u{1b}[39m  warning"), "⚠  warning");
        assert_eq!(strip_ansi("plain"), "plain");
    }
}
