//! The body layer: how parameters and bodies become bytes (path segments, query strings,
//! forms, multipart) and where streamed bodies come from. It knows nothing of sending.

pub(crate) mod encode;
pub(crate) mod file_part;
pub(crate) mod multipart;
pub(crate) mod source;
