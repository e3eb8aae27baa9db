//! The configuration layer: the settings a client and a call carry, and the values a call
//! reports back (rate limits, errors). These modules know nothing of clients or requests.

pub(crate) mod config_error;
pub(crate) mod error;
pub(crate) mod headers;
pub(crate) mod hooks;
pub(crate) mod limiter;
pub(crate) mod options;
pub(crate) mod rate_limit;
pub(crate) mod retry;
