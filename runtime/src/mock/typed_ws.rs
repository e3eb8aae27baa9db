//! The typed layer of the WebSocket mock: one [`ChannelMock`] per channel, whose script sees
//! the decoded client message and answers with the channel's server messages.

use std::marker::PhantomData;
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::ws::{Action, ClientFrame, Connected, Turn, WsMockServer};

/// A message the server sends on a channel, as the mock puts it on the wire (generated for
/// each channel's message enum).
pub trait ServerMessage {
    /// The frame that carries it.
    fn to_action(&self) -> Action;
}

/// A message a client sends on a channel, decoded from a frame (generated for each channel).
pub trait ClientMessage: Sized {
    /// Decodes `frame`, which the document's message `message` matched (if any).
    fn from_frame(message: Option<&str>, frame: &ClientFrame) -> Self;
}

/// Sends `message` as a JSON text frame, checked against the channel's server messages.
pub fn send_json<T: Serialize>(message: &T) -> Action {
    match serde_json::to_value(message) {
        Ok(value) => Action::Send(value),
        Err(error) => Action::SendRaw(error.to_string()),
    }
}

/// The JSON of a text frame as `T`, if it is one.
pub fn decode_json<T: DeserializeOwned>(frame: &ClientFrame) -> Option<T> {
    frame
        .json()
        .and_then(|value| serde_json::from_value(value.clone()).ok())
}

/// One step of a scripted answer: a typed server message, a binary frame, a pause, a close.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Step<Out> {
    /// A server message of the channel.
    Send(Out),
    /// A binary frame (audio, say).
    Binary(Bytes),
    /// A text frame as it is (malformed JSON, a message from a newer server).
    Raw(String),
    /// A pause before the next step.
    Sleep(Duration),
    /// A close frame with `code` and `reason`; the connection ends.
    Close {
        /// The close code (1000 for a normal close).
        code: u16,
        /// The reason.
        reason: String,
    },
    /// The TCP connection dropped without a close frame.
    Drop,
    /// No more reading or writing: pings go unanswered (a dead peer).
    GoSilent,
}

impl<Out: ServerMessage> Step<Out> {
    /// A close with `code` and `reason`.
    pub fn close(code: u16, reason: &str) -> Self {
        Step::Close {
            code,
            reason: reason.to_owned(),
        }
    }

    fn to_action(&self) -> Action {
        match self {
            Step::Send(message) => message.to_action(),
            Step::Binary(data) => Action::SendBinary(data.to_vec()),
            Step::Raw(text) => Action::SendRaw(text.clone()),
            Step::Sleep(pause) => Action::Sleep(*pause),
            Step::Close { code, reason } => Action::Close {
                code: *code,
                reason: reason.clone(),
            },
            Step::Drop => Action::Drop,
            Step::GoSilent => Action::GoSilent,
        }
    }
}

/// A client message as a script sees it.
#[derive(Clone, Debug)]
pub struct MockTurn<In> {
    /// The message, decoded.
    pub message: In,
    /// The connection number, from 0, over the mock's life.
    pub connection: usize,
    /// The message number within the connection, from 0.
    pub index: usize,
    /// The connection's query pairs (the key's value replaced by `<key>`).
    pub query: Vec<(String, String)>,
}

impl<In: ClientMessage> MockTurn<In> {
    fn decode(turn: &Turn) -> Self {
        MockTurn {
            message: In::from_frame(turn.message.as_deref(), &turn.frame),
            connection: turn.connection,
            index: turn.index,
            query: turn.query.clone(),
        }
    }

    /// The first value of a query parameter of the connection.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// The mock of one channel: `In` is what clients send on it, `Out` what the server sends.
pub struct ChannelMock<'a, In, Out> {
    server: &'a WsMockServer,
    channel: &'static str,
    types: PhantomData<fn(In) -> Out>,
}

impl<In, Out> std::fmt::Debug for ChannelMock<'_, In, Out> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelMock")
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

impl<'a, In, Out> ChannelMock<'a, In, Out>
where
    In: ClientMessage + 'static,
    Out: ServerMessage + 'static,
{
    /// The mock of the channel `channel` (its id in the document) on `server` (generated
    /// code calls this).
    pub fn new(server: &'a WsMockServer, channel: &'static str) -> Self {
        ChannelMock {
            server,
            channel,
            types: PhantomData,
        }
    }

    /// Answers every following client message on this channel with the steps `script`
    /// returns, played in order.
    pub fn script(
        &self,
        script: impl Fn(&MockTurn<In>) -> Vec<Step<Out>> + Send + Sync + 'static,
    ) -> &Self {
        self.server.script_channel(self.channel, move |turn| {
            let steps = script(&MockTurn::decode(turn));
            steps.iter().map(Step::to_action).collect()
        });
        self
    }

    /// Replaces what every new connection on this channel is sent first (by default the
    /// example of the channel's `x-initial-message`, or a value made from its schema).
    pub fn greet(
        &self,
        steps: impl Fn(&Connected) -> Vec<Step<Out>> + Send + Sync + 'static,
    ) -> &Self {
        self.server
            .greeting_channel(self.channel, move |connected| {
                steps(connected).iter().map(Step::to_action).collect()
            });
        self
    }

    /// Every client message received on this channel so far, in order, decoded.
    pub fn messages(&self) -> Vec<MockTurn<In>> {
        self.server
            .messages()
            .into_iter()
            .filter(|message| message.channel == self.channel)
            .enumerate()
            .map(|(index, message)| MockTurn {
                message: In::from_frame(message.message.as_deref(), &message.frame),
                connection: message.connection,
                index,
                query: Vec::new(),
            })
            .collect()
    }
}
