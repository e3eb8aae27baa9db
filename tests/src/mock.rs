//! A local HTTP server that stands in for the Autessa REST API.
