//! Pinned third-party tools (Redocly, the AsyncAPI CLI, Prism), installed into a cache outside the repository.
