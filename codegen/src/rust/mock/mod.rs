//! The `mock` module of a generated crate (its cargo feature `mock`): a local server that
//! stands in for the API in tests, with one typed method per operation and per channel.
//!
//! The engine is `autessa_runtime::mock` (generic, driven by the documents, which the crate
//! embeds as JSON under `src/mock/`); this back-end writes only the typed layer: the
//! operations' request and response types, the channels' message enums.

mod rest;
mod ws;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use super::types::Paths;
use crate::GeneratedFile;
use crate::ir::Api;

/// The embedded documents, relative to the crate root.
pub const OPENAPI_FILE: &str = "src/mock/openapi.json";
pub const ASYNCAPI_FILE: &str = "src/mock/asyncapi.json";

/// Whether the crate gets a mock: an API with operations (so with an OpenAPI document,
/// which also holds the channels' payload schemas).
pub fn wanted(api: &Api) -> bool {
    !api.operations.is_empty()
}

/// The `mock` feature of the crate's manifest, when it has one.
pub fn feature_toml(api: &Api) -> String {
    if !wanted(api) {
        return String::new();
    }
    let ws = if api.channels.is_empty() {
        ""
    } else {
        "\"ws\", "
    };
    format!(
        "# A local stand-in for the API in tests, `mock::Mock` (REST{}).\n\
         mock = [{ws}\"autessa-runtime/mock\"]\n",
        if api.channels.is_empty() {
            ""
        } else {
            " and WebSocket"
        }
    )
}

/// The declaration of the module in `lib.rs`.
pub fn declaration(api: &Api) -> Option<TokenStream> {
    wanted(api).then(|| {
        quote! {
            /// A local stand-in for the API in tests: [`mock::Mock`] answers every operation
            /// (and plays every channel) as the API's documents describe, or as the test
            /// says, and checks every request (cargo feature `mock`).
            #[cfg(feature = "mock")]
            pub mod mock;
        }
    })
}

/// The documents as the crate embeds them: pretty JSON, in the documents' own order.
pub fn document_files(openapi: &Value, asyncapi: Option<&Value>) -> Vec<GeneratedFile> {
    let pretty = |value: &Value| {
        let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
        text.push('\n');
        text
    };
    let mut files = vec![GeneratedFile::new(OPENAPI_FILE, pretty(openapi))];
    if let Some(asyncapi) = asyncapi {
        files.push(GeneratedFile::new(ASYNCAPI_FILE, pretty(asyncapi)));
    }
    files
}

/// The `mock` module (`src/mock.rs`).
pub fn module(api: &Api, has_key: bool) -> TokenStream {
    let p = Paths {
        types: quote!(types::),
        runtime: quote!(autessa_runtime),
    };
    let operations = rest::methods(api, &p);
    let taken: Vec<String> = api.operations.iter().map(rest::method_name).collect();
    let channels = api
        .channels
        .iter()
        .map(|c| ws::method(c, &ws::method_name(c, &taken)));
    let channel_items = api.channels.iter().map(|c| ws::items(api, c, &p));
    let has_channels = !api.channels.is_empty();
    let asyncapi = match has_channels {
        true => quote!(Some(include_str!("mock/asyncapi.json"))),
        false => quote!(None),
    };
    let client = match has_key {
        true => quote!(Client::new(&self.base_url(), self.api_key())),
        false => quote!(Client::new(&self.base_url())),
    };
    let channels_accessor = has_channels.then(|| {
        quote! {
            fn channels(&self) -> &WsMockServer {
                self.api
                    .ws()
                    .expect("the mock starts the channels of its AsyncAPI document")
            }
        }
    });
    let body = quote! {
        #[doc = " A local server that stands in for the API in tests, on `127.0.0.1`: REST"]
        #[doc = " operations and WebSocket channels on one port, as a [`Client`] expects them."]
        #[doc = ""]
        #[doc = " Every request is validated against the API's documents (the violations are in"]
        #[doc = " [`violations`](Self::violations)) and recorded; an operation answers with the"]
        #[doc = " documents' example until its `on_…` method sets a typed reply, a handler or a"]
        #[doc = " fault; a channel plays the script its `on_…` method sets. Dropping the mock"]
        #[doc = " stops it."]
        #[derive(Debug)]
        pub struct Mock {
            api: ApiMock,
            api_key: String,
        }

        impl Mock {
            /// The key the mock expects, unless started with [`start_with_key`](Self::start_with_key).
            pub const API_KEY: &'static str = "mock-api-key";

            /// Starts the mock, expecting [`API_KEY`](Self::API_KEY).
            pub async fn start() -> Result<Self, MockError> {
                Self::start_with_key(Self::API_KEY).await
            }

            /// Starts the mock, expecting `api_key` (a request with another is refused as
            /// the real server would).
            pub async fn start_with_key(api_key: &str) -> Result<Self, MockError> {
                let api = ApiMock::from_documents(
                    include_str!("mock/openapi.json"),
                    #asyncapi,
                    api_key,
                )
                .await?;
                Ok(Self { api, api_key: api_key.to_owned() })
            }

            /// `http://127.0.0.1:PORT`, the base URL of a client (REST and WebSocket).
            pub fn base_url(&self) -> String {
                self.api.base_url()
            }

            /// The key the mock expects.
            pub fn api_key(&self) -> &str {
                &self.api_key
            }

            /// A client of the mock, with the key it expects.
            pub fn client(&self) -> Result<Client, ConfigError> {
                #client
            }

            /// Every failed check so far (REST requests, then WebSocket upgrades and
            /// messages): empty when every request followed the documents.
            pub fn violations(&self) -> Vec<String> {
                self.api.violations()
            }

            /// Every REST request received so far, in order.
            pub fn requests(&self) -> Vec<RecordedRequest> {
                self.api.rest().requests()
            }

            /// The engine underneath: untyped replies, default headers, the WebSocket
            /// server's records.
            pub fn engine(&self) -> &ApiMock {
                &self.api
            }

            #channels_accessor

            #(#operations)*

            #(#channels)*
        }

        #(#channel_items)*
    };
    let runtime = super::imports(quote!(autessa_runtime), &["Bytes"], &body);
    let mock = super::imports(
        quote!(autessa_runtime::mock),
        &[
            "ApiMock",
            "ChannelMock",
            "ClientMessage",
            "MockError",
            "OperationMock",
            "RecordedRequest",
            "ResponseEncoding",
            "ServerMessage",
            "decode_json",
            "send_json",
        ],
        &body,
    );
    let ws = super::imports(
        quote!(autessa_runtime::mock::ws),
        &["Action", "ClientFrame", "WsMockServer"],
        &body,
    );
    let crate_items = super::imports(
        quote!(crate),
        &["Client", "ConfigError", "channels", "types"],
        &body,
    );
    quote! {
        #runtime
        #mock
        #ws
        #crate_items

        #body
    }
}
