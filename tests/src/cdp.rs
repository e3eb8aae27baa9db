//! A headless Chromium driven over the DevTools protocol, for tests that use a page as a
//! reader does: type into it, click, resize the window, turn JavaScript off, take a
//! screenshot.
//!
//! [`Page::open`] starts Debian's Chromium (the located one, see
//! [`crate::browser::chromium`]) with the same flags as [`crate::browser`] plus
//! `--remote-debugging-port=0`, reads the DevTools address it prints, and attaches to its
//! page over a WebSocket on 127.0.0.1. Dropping the [`Page`] closes that browser (killing it
//! if it does not close) and removes its profile folder.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use crate::browser::{FLAGS, LOAD_TIMEOUT, chromium};

/// How long one DevTools command may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// One browser with one page.
pub struct Page {
    child: Child,
    profile: PathBuf,
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    session: String,
    next_id: u64,
}

impl Page {
    /// Starts a browser showing `about:blank`.
    pub fn open() -> Result<Page, String> {
        let chromium = chromium()?;
        let profile = std::env::temp_dir().join(format!(
            "autessa-cdp-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        let mut child = Command::new(chromium)
            .args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("--remote-debugging-port=0")
            .arg("--hide-scrollbars")
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start Chromium: {e}"))?;
        let address = devtools_address(&mut child);
        let address = match address {
            Ok(a) => a,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = std::fs::remove_dir_all(&profile);
                return Err(e);
            }
        };
        let (socket, _) = tungstenite::connect(address.as_str())
            .map_err(|e| format!("cannot reach Chromium's DevTools at {address}: {e}"))?;
        if let MaybeTlsStream::Plain(stream) = socket.get_ref() {
            let _ = stream.set_read_timeout(Some(COMMAND_TIMEOUT));
        }
        let mut page = Page {
            child,
            profile,
            socket,
            session: String::new(),
            next_id: 0,
        };
        let targets = page.browser_call("Target.getTargets", json!({}))?;
        let target = targets["targetInfos"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["type"] == "page"))
            .and_then(|t| t["targetId"].as_str())
            .ok_or("Chromium shows no page")?
            .to_owned();
        let attached = page.browser_call(
            "Target.attachToTarget",
            json!({"targetId": target, "flatten": true}),
        )?;
        page.session = attached["sessionId"]
            .as_str()
            .ok_or("no DevTools session")?
            .to_owned();
        Ok(page)
    }

    fn browser_call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        self.send(method, params, None)
    }

    /// Runs a DevTools command on the page and returns its result.
    pub fn call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        let session = self.session.clone();
        self.send(method, params, Some(&session))
    }

    fn send(
        &mut self,
        method: &str,
        params: Value,
        session: Option<&str>,
    ) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .map_err(|e| format!("{method}: {e}"))?;
        let deadline = Instant::now() + COMMAND_TIMEOUT;
        while Instant::now() < deadline {
            let frame = self.socket.read().map_err(|e| format!("{method}: {e}"))?;
            let Message::Text(text) = frame else { continue };
            let reply: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            if reply["id"] != json!(id) {
                continue;
            }
            if let Some(error) = reply.get("error") {
                return Err(format!("{method}: {error}"));
            }
            return Ok(reply["result"].clone());
        }
        Err(format!("{method}: no answer in time"))
    }

    /// Loads `file` (optionally at `#fragment`) and waits until it has loaded.
    pub fn load(&mut self, file: &Path, fragment: Option<&str>) -> Result<(), String> {
        let file = std::fs::canonicalize(file)
            .map_err(|e| format!("cannot find {}: {e}", file.display()))?;
        let mut url = format!("file://{}", file.display());
        if let Some(f) = fragment {
            url = format!("{url}#{f}");
        }
        self.call("Page.navigate", json!({"url": url}))?;
        let deadline = Instant::now() + LOAD_TIMEOUT;
        while Instant::now() < deadline {
            let state = self.call(
                "Runtime.evaluate",
                json!({"expression": "location.href + ' ' + document.readyState", "returnByValue": true}),
            )?;
            let state = state["result"]["value"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if state.ends_with(" complete") && state.starts_with("file://") {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("{} did not finish loading", file.display()))
    }

    /// The value of a JavaScript expression (run by DevTools, also when the page's own
    /// scripts are off); a thrown exception is an error.
    pub fn eval(&mut self, expression: &str) -> Result<Value, String> {
        let result = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        )?;
        if let Some(e) = result.get("exceptionDetails") {
            return Err(format!("`{expression}` threw: {e}"));
        }
        Ok(result["result"]["value"].clone())
    }

    /// Sets the window's size in CSS pixels; `mobile` emulates a phone (its viewport rules
    /// and touch screen).
    pub fn resize(&mut self, width: u32, height: u32, mobile: bool) -> Result<(), String> {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        )
        .map(drop)
    }

    /// Turns the page's own scripts off or on (for the next load).
    pub fn javascript(&mut self, enabled: bool) -> Result<(), String> {
        self.call(
            "Emulation.setScriptExecutionDisabled",
            json!({"value": !enabled}),
        )
        .map(drop)
    }

    /// Types `text` into the focused element, as a keyboard would.
    pub fn type_text(&mut self, text: &str) -> Result<(), String> {
        self.call("Input.insertText", json!({"text": text}))
            .map(drop)
    }

    /// Presses and releases a key: `Enter`, `Escape`, `ArrowDown`, `ArrowUp`.
    pub fn press(&mut self, key: &str) -> Result<(), String> {
        let (code, text) = match key {
            "Enter" => (13, "\r"),
            "Escape" => (27, ""),
            "ArrowUp" => (38, ""),
            "ArrowDown" => (40, ""),
            other => return Err(format!("no key {other}")),
        };
        let mut down = json!({"type": "keyDown", "key": key, "code": key,
            "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code});
        if !text.is_empty() {
            down["text"] = json!(text);
        }
        self.call("Input.dispatchKeyEvent", down)?;
        self.call(
            "Input.dispatchKeyEvent",
            json!({"type": "keyUp", "key": key, "code": key,
                "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code}),
        )
        .map(drop)
    }

    /// Clicks the middle of the first element `selector` matches, with the mouse.
    pub fn click(&mut self, selector: &str) -> Result<(), String> {
        let quoted = serde_json::to_string(selector).unwrap_or_default();
        let at = self.eval(&format!(
            "(() => {{ const e = document.querySelector({quoted}); if (!e) return null; \
             e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); \
             return [r.left + r.width / 2, r.top + r.height / 2]; }})()"
        ))?;
        let (Some(x), Some(y)) = (at[0].as_f64(), at[1].as_f64()) else {
            return Err(format!("nothing matches {selector}"));
        };
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            )?;
        }
        Ok(())
    }

    /// A PNG of what the window shows.
    pub fn screenshot(&mut self) -> Result<Vec<u8>, String> {
        let shot = self.call("Page.captureScreenshot", json!({"format": "png"}))?;
        let data = shot["data"].as_str().ok_or("no screenshot data")?;
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| format!("the screenshot is not base64: {e}"))
    }
}

impl Drop for Page {
    /// Asks the browser to close (so that its helper processes end with it), kills it if it
    /// has not within ten seconds, and removes its profile.
    fn drop(&mut self) {
        let _ = self.browser_call("Browser.close", json!({}));
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// The browser's DevTools WebSocket address, from the line it prints on standard error; the
/// rest of its output is drained in the background.
fn devtools_address(child: &mut Child) -> Result<String, String> {
    let stderr = child.stderr.take().ok_or("no standard error")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(address) = line.strip_prefix("DevTools listening on ")
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(address.trim().to_owned());
            }
        }
    });
    rx.recv_timeout(LOAD_TIMEOUT)
        .map_err(|_| "Chromium did not print its DevTools address".to_owned())
}

/// The width and height of a PNG image, from its header.
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.len() < 24 || &png[..8] != b"\x89PNG\r\n\x1a\n" || &png[12..16] != b"IHDR" {
        return None;
    }
    let width = u32::from_be_bytes(png[16..20].try_into().ok()?);
    let height = u32::from_be_bytes(png[20..24].try_into().ok()?);
    Some((width, height))
}
