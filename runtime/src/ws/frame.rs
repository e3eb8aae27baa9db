//! What a session delivers: frames, and the events around them.

use std::fmt;
use std::ops::Deref;
use std::time::Duration;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use super::error::WsError;

/// The text of a text frame: UTF-8, shared with the buffer it was read into rather than
/// copied. Dereferences to `str`.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(Utf8Bytes);

impl Text {
    /// The text as a `str`.
    #[inline]
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl Deref for Text {
    type Target = str;

    #[inline]
    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Self(text.into())
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Self(text.into())
    }
}

impl From<Utf8Bytes> for Text {
    #[inline]
    fn from(text: Utf8Bytes) -> Self {
        Self(text)
    }
}

impl From<Text> for String {
    fn from(text: Text) -> Self {
        text.as_str().to_owned()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One received data frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// A text frame (JSON messages).
    Text(Text),
    /// A binary frame (audio).
    Binary(Bytes),
}

impl Frame {
    /// Decodes a text frame as JSON of type `T`. A binary frame, or text that is not a `T`,
    /// gives [`WsError::Decode`] with the raw text (for a binary frame, a note of its length).
    pub fn decode_json<T: DeserializeOwned>(&self, channel: &'static str) -> Result<T, WsError> {
        match self {
            Self::Text(text) => WsError::decode_json(channel, text),
            Self::Binary(data) => Err(WsError::Decode {
                channel,
                source: <serde_json::Error as serde::de::Error>::custom(
                    "expected a JSON text frame, got a binary frame",
                ),
                raw: format!("<binary frame of {} bytes>", data.len()),
            }),
        }
    }
}

/// What a session delivers, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event<T> {
    /// A message from the server.
    Message(T),
    /// The connection was lost; attempt `attempt` starts after `delay`.
    Reconnecting {
        /// The attempt number, from 1.
        attempt: u32,
        /// The jittered delay before the attempt.
        delay: Duration,
    },
    /// A new connection is open (the server greets it like a first one).
    Reconnected,
    /// The session is over; `recv` gives `None` from now on.
    Closed {
        /// The close code the server sent, if it sent a close frame.
        code: Option<u16>,
        /// The reason the server gave, or why the session ended.
        reason: String,
    },
}

impl<T> Event<T> {
    /// Converts the message of a [`Event::Message`] with a conversion that may fail; other
    /// events are kept.
    #[inline]
    pub fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<Event<U>, E> {
        match self {
            Self::Message(message) => f(message).map(Event::Message),
            Self::Reconnecting { attempt, delay } => Ok(Event::Reconnecting { attempt, delay }),
            Self::Reconnected => Ok(Event::Reconnected),
            Self::Closed { code, reason } => Ok(Event::Closed { code, reason }),
        }
    }

    /// Converts the message of a [`Event::Message`]; other events are kept.
    #[inline]
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Event<U> {
        match self {
            Self::Message(message) => Event::Message(f(message)),
            Self::Reconnecting { attempt, delay } => Event::Reconnecting { attempt, delay },
            Self::Reconnected => Event::Reconnected,
            Self::Closed { code, reason } => Event::Closed { code, reason },
        }
    }
}
