//! Streamed replies: the answer to a request, arriving as parts (chunks, then a final or
//! an error message), sorted out of what a connection receives.

use futures_core::Stream;
use futures_util::stream;

use super::connection::{ChannelMessage, Connection};
use super::error::WsError;
use super::frame::Event;

/// What a part is to its reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyRole {
    /// A chunk; `last` when it is marked as the reply's last one.
    Chunk {
        /// Whether the chunk is marked as the last one.
        last: bool,
    },
    /// The final message, which ends the reply.
    Final,
    /// An error message, which ends the reply.
    Error,
    /// Anything else that arrived meanwhile.
    Other,
}

/// The parts of one channel's streamed replies, as a generated enum sorts them out of the
/// channel's messages `M`.
pub trait ReplyPart<M>: Sized {
    /// Whether a final message may follow a chunk marked as the last one. The reply then
    /// waits up to [`reply_grace`](Connection::reply_grace) for it, and one that comes later
    /// is handed to the next reply as [`previous`](Self::previous); otherwise a last chunk
    /// ends the reply at once.
    const FINAL_AFTER_LAST_CHUNK: bool = false;

    /// The part an event is.
    fn from_event(event: Event<M>) -> Self;

    /// What the part is to its reply.
    fn role(&self) -> ReplyRole;

    /// The final message of the previous reply, as a part of the next one, which it does not
    /// end (only asked for when [`FINAL_AFTER_LAST_CHUNK`](Self::FINAL_AFTER_LAST_CHUNK)).
    fn previous(self) -> Self {
        self
    }

    /// Whether the part ends the reply: a final or error message, or a chunk marked as the
    /// last one.
    fn is_end(&self) -> bool {
        matches!(
            self.role(),
            ReplyRole::Chunk { last: true } | ReplyRole::Final | ReplyRole::Error
        )
    }
}

impl<M: ChannelMessage> Connection<M> {
    /// The reply to a request already sent, part by part. Errors (such as a message that
    /// does not decode) are yielded and the stream goes on; it ends after the part that ends
    /// the reply, or when the connection has closed and everything received was delivered.
    pub fn reply<R: ReplyPart<M>>(&mut self) -> impl Stream<Item = Result<R, WsError>> + '_ {
        // The state: the connection, and whether the reply has had its last chunk.
        stream::unfold(Some((self, false)), |state| async move {
            let (connection, had_last) = state?;
            let received = if had_last {
                let grace = connection.reply_grace();
                within(grace, connection.recv()).await?
            } else {
                connection.recv().await
            };
            let event = match received? {
                Ok(event) => event,
                Err(error) => return Some((Err(error), Some((connection, had_last)))),
            };
            let part = R::from_event(event);
            let had_last = match part.role() {
                ReplyRole::Final if connection.after_last_chunk && !had_last => {
                    connection.after_last_chunk = false;
                    return Some((Ok(part.previous()), Some((connection, false))));
                }
                ReplyRole::Chunk { last } if R::FINAL_AFTER_LAST_CHUNK => {
                    connection.after_last_chunk = last;
                    last
                }
                ReplyRole::Chunk { last: false } | ReplyRole::Other => had_last,
                ReplyRole::Chunk { last: true } | ReplyRole::Final | ReplyRole::Error => {
                    connection.after_last_chunk = false;
                    return Some((Ok(part), None));
                }
            };
            Some((Ok(part), Some((connection, had_last))))
        })
    }
}

/// Runs `future` for at most `limit`: `None` when the time ran out first (the future is
/// dropped, so it should be cancel safe, as `recv` is).
pub async fn within<F: std::future::Future>(
    limit: std::time::Duration,
    future: F,
) -> Option<F::Output> {
    tokio::time::timeout(limit, future).await.ok()
}
