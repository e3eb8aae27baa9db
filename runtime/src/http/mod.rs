//! The REST client, in layers; each module imports only from the layers below it.
//!
//! - [`config`]: what a client is set up with and what a call reports (options, retry
//!   policy, hooks, the rate limiter, rate-limit headers, errors). Leaves: nothing here
//!   knows about clients or requests.
//! - [`body`]: request bodies (path, query and form encoding, multipart, byte sources).
//! - [`client`], [`builder`], [`env`], [`request`], [`response`]: the client handle and how
//!   it is built (also from environment variables), a request being put together, and the
//!   reading of a finished response.
//! - [`send`]: the sending pipeline on top: attempts, retries, timeouts, streaming
//!   responses and uploads.

pub(crate) mod body;
pub(crate) mod builder;
pub(crate) mod client;
pub(crate) mod config;
pub(crate) mod env;
pub(crate) mod request;
pub(crate) mod response;
pub(crate) mod send;
