//! The errors of WebSocket sessions.
//!
//! No error holds the API key: URLs are kept in their redacted form
//! (`authorization=<redacted>`), and text that comes from elsewhere (a refused upgrade's body,
//! a transport error's message) has every occurrence of the key replaced before it is kept.

use std::error::Error as StdError;
use std::io;
use std::time::Duration;

use serde::de::DeserializeOwned;

/// The error of a WebSocket connection, session or message.
///
/// Every variant names the channel (the AsyncAPI channel id, e.g. `agentExecute`). Errors
/// received from [`WsSession::recv`](super::WsSession::recv) describe what happened to the
/// session; see there for which of them end it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WsError {
    /// A query value or a message could not be encoded, or the connection URL cannot be built
    /// (e.g. a `.` or `..` path segment). Nothing was sent.
    #[error("channel `{channel}`: could not encode the request or message")]
    Encode {
        /// The channel id.
        channel: &'static str,
        /// What went wrong.
        #[source]
        source: serde_json::Error,
    },
    /// The server answered the upgrade request with an HTTP status instead of switching
    /// protocols (e.g. 401 for a bad key).
    #[error(
        "channel `{channel}`: the server refused the WebSocket upgrade of {url} with HTTP {status}"
    )]
    Rejected {
        /// The channel id.
        channel: &'static str,
        /// The connection URL, redacted.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The response body, as text (lossily decoded, the API key replaced).
        body: String,
    },
    /// The server closed the connection before the message every connection starts with
    /// (the channel's `x-initial-message`, such as a connection status): it refused the
    /// connection after the upgrade (the Autessa server closes with `4001 Invalid API key`
    /// for a wrong key).
    #[error("channel `{channel}`: the server closed the connection before it was ready ({})", describe_close(*code, reason))]
    ClosedOnConnect {
        /// The channel id.
        channel: &'static str,
        /// The close code, if the server sent a close frame.
        code: Option<u16>,
        /// The reason it gave (the API key replaced).
        reason: String,
    },
    /// A message that repeats a connection parameter (an agent id that must be the
    /// connection's `resourceId`, say) holds another value. Nothing was sent.
    #[error(
        "channel `{channel}`: not sent: the message's `{member}` is {found}, but the connection's `{param}` is {expected}"
    )]
    Mismatch {
        /// The channel id.
        channel: &'static str,
        /// The message member, as on the wire.
        member: &'static str,
        /// The connection parameter, as on the wire.
        param: &'static str,
        /// The connection's value.
        expected: String,
        /// The message's value.
        found: String,
    },
    /// The connection (TCP, TLS and the upgrade) took longer than
    /// [`WsConfig::connect_timeout`](super::WsConfig::connect_timeout).
    #[error("channel `{channel}`: connecting to {url} took longer than {timeout:?}")]
    ConnectTimeout {
        /// The channel id.
        channel: &'static str,
        /// The connection URL, redacted.
        url: String,
        /// The limit.
        timeout: Duration,
    },
    /// The connection could not be established (DNS, TCP, TLS or a malformed upgrade
    /// response).
    #[error("channel `{channel}`: could not connect to {url}: {reason}")]
    Connect {
        /// The channel id.
        channel: &'static str,
        /// The connection URL, redacted.
        url: String,
        /// What went wrong.
        reason: String,
        /// The I/O error, when there is one.
        #[source]
        source: Option<io::Error>,
    },
    /// An established connection failed: an I/O or protocol error, or the peer went away
    /// without a close frame.
    #[error("channel `{channel}`: the connection failed: {reason}")]
    Transport {
        /// The channel id.
        channel: &'static str,
        /// What went wrong.
        reason: String,
        /// The I/O error, when there is one.
        #[source]
        source: Option<io::Error>,
    },
    /// The session is closed (or closing): nothing more can be sent.
    #[error("channel `{channel}`: the session is closed")]
    Closed {
        /// The channel id.
        channel: &'static str,
    },
    /// The peer did not answer a ping (or take our data) within
    /// [`WsConfig::pong_timeout`](super::WsConfig::pong_timeout): it is presumed dead.
    #[error(
        "channel `{channel}`: no answer from the server within {timeout:?}; the connection is presumed dead"
    )]
    DeadPeer {
        /// The channel id.
        channel: &'static str,
        /// The limit.
        timeout: Duration,
    },
    /// No message was sent or received for [`WsConfig::idle_timeout`](super::WsConfig::idle_timeout);
    /// the session closed the connection (the Autessa server drops connections idle for 30
    /// minutes).
    #[error(
        "channel `{channel}`: no message sent or received for {after:?}; the idle connection was closed"
    )]
    Idle {
        /// The channel id.
        channel: &'static str,
        /// The limit.
        after: Duration,
    },
    /// A received message could not be decoded. The session goes on with the next message.
    #[error("channel `{channel}`: could not decode a received message")]
    Decode {
        /// The channel id.
        channel: &'static str,
        /// Why decoding failed.
        #[source]
        source: serde_json::Error,
        /// The message as received (for a binary frame: a note of its length).
        raw: String,
    },
    /// The connection was lost and every reconnect attempt allowed by
    /// [`Reconnect`](super::Reconnect) failed.
    #[error("channel `{channel}`: gave up reconnecting after {attempts} attempt(s) in {elapsed:?}")]
    ReconnectExhausted {
        /// The channel id.
        channel: &'static str,
        /// How many connections were attempted.
        attempts: u32,
        /// The time spent since the connection was lost.
        elapsed: Duration,
        /// Why the connection was lost, or why the last attempt failed.
        #[source]
        last: Box<WsError>,
    },
    /// Reading an audio source that was being streamed failed.
    #[error("channel `{channel}`: could not read the audio source")]
    Source {
        /// The channel id.
        channel: &'static str,
        /// The source's error.
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
}

impl WsError {
    /// The channel id of the connection the error belongs to.
    pub fn channel(&self) -> &'static str {
        match self {
            Self::Encode { channel, .. }
            | Self::Rejected { channel, .. }
            | Self::ClosedOnConnect { channel, .. }
            | Self::Mismatch { channel, .. }
            | Self::ConnectTimeout { channel, .. }
            | Self::Connect { channel, .. }
            | Self::Transport { channel, .. }
            | Self::Closed { channel }
            | Self::DeadPeer { channel, .. }
            | Self::Idle { channel, .. }
            | Self::Decode { channel, .. }
            | Self::ReconnectExhausted { channel, .. }
            | Self::Source { channel, .. } => channel,
        }
    }

    /// The HTTP status of a refused upgrade.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Rejected { status, .. } => Some(*status),
            Self::ReconnectExhausted { last, .. } => last.status(),
            _ => None,
        }
    }

    /// The close code of a connection the server closed before it was ready
    /// ([`WsError::ClosedOnConnect`]).
    pub fn close_code(&self) -> Option<u16> {
        match self {
            Self::ClosedOnConnect { code, .. } => *code,
            Self::ReconnectExhausted { last, .. } => last.close_code(),
            _ => None,
        }
    }

    /// A [`WsError::ClosedOnConnect`]: the session ended (with this close code and reason)
    /// before the message a connection waits for.
    pub fn closed_on_connect(channel: &'static str, code: Option<u16>, reason: String) -> Self {
        Self::ClosedOnConnect {
            channel,
            code,
            reason,
        }
    }

    /// Checks that a message member that repeats a connection parameter holds the
    /// connection's value ([`WsError::Mismatch`] if not).
    pub fn check_same<T: PartialEq + std::fmt::Debug>(
        channel: &'static str,
        member: &'static str,
        param: &'static str,
        found: &T,
        expected: &T,
    ) -> Result<(), Self> {
        if found == expected {
            return Ok(());
        }
        Err(Self::Mismatch {
            channel,
            member,
            param,
            expected: format!("{expected:?}"),
            found: format!("{found:?}"),
        })
    }

    /// The raw text of a message that could not be decoded.
    pub fn raw(&self) -> Option<&str> {
        match self {
            Self::Decode { raw, .. } => Some(raw),
            _ => None,
        }
    }

    /// A [`WsError::Decode`] for a text message that did not decode, keeping its text.
    pub fn decode(
        channel: &'static str,
        raw: impl Into<String>,
        source: serde_json::Error,
    ) -> Self {
        Self::Decode {
            channel,
            source,
            raw: raw.into(),
        }
    }

    /// Decodes a text message as JSON of type `T`, keeping the raw text in
    /// [`WsError::Decode`] when it does not decode.
    pub fn decode_json<T: DeserializeOwned>(channel: &'static str, text: &str) -> Result<T, Self> {
        serde_json::from_str(text).map_err(|source| Self::Decode {
            channel,
            source,
            raw: text.to_owned(),
        })
    }
}

fn describe_close(code: Option<u16>, reason: &str) -> String {
    match (code, reason.is_empty()) {
        (Some(code), true) => format!("code {code}"),
        (Some(code), false) => format!("code {code}: {reason}"),
        (None, true) => "no close frame".to_owned(),
        (None, false) => reason.to_owned(),
    }
}

/// Replaces every occurrence of `secret` in `text` with `<redacted>`.
pub(crate) fn scrub(text: &str, secret: Option<&str>) -> String {
    match secret {
        Some(secret) if !secret.is_empty() => text.replace(secret, "<redacted>"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_keeps_the_raw_text() {
        let error = WsError::decode_json::<serde_json::Value>("agentExecute", "{oops").unwrap_err();
        assert_eq!(error.raw(), Some("{oops"));
        assert_eq!(error.channel(), "agentExecute");
        assert_eq!(
            error.to_string(),
            "channel `agentExecute`: could not decode a received message"
        );
        assert!(StdError::source(&error).is_some());
    }

    #[test]
    fn scrub_replaces_every_occurrence() {
        assert_eq!(scrub("a k b k", Some("k")), "a <redacted> b <redacted>");
        assert_eq!(scrub("a k", Some("")), "a k");
        assert_eq!(scrub("a k", None), "a k");
    }

    #[test]
    fn status_looks_through_reconnect_failures() {
        let rejected = WsError::Rejected {
            channel: "c",
            url: "ws://h/?authorization=<redacted>".into(),
            status: 401,
            body: String::new(),
        };
        assert_eq!(rejected.status(), Some(401));
        let exhausted = WsError::ReconnectExhausted {
            channel: "c",
            attempts: 3,
            elapsed: Duration::from_secs(1),
            last: Box::new(rejected),
        };
        assert_eq!(exhausted.status(), Some(401));
        assert_eq!(WsError::Closed { channel: "c" }.status(), None);
    }
}
