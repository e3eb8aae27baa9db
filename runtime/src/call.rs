//! The calls of a generated client, declared once: [`call!`](crate::call!).

/// Declares the call type of an operation: what a client method returns, holding the
/// client's HTTP client and the arguments, on which optional parameters are set before it
/// is sent.
///
/// Written as the call reads: the struct with the required arguments, `send` with what it
/// decodes and how it builds and sends the request, then one `pub fn with_name(name: Type);`
/// per optional parameter. The macro adds:
/// - the `http` member and, after the required ones, one `Option` member per optional
///   parameter; the struct is generic over the [`Flavour`](crate::Flavour) `F` (default
///   [`Async`](crate::Async)) and `#[must_use]`;
/// - `new(http, required..)`, for the client method, with every optional parameter unset;
/// - each setter, `with_name(self, value) -> Self`;
/// - `send`'s real signature: `F::Wait<impl Future<Output = ..>>`, a future to `.await` in
///   the async client and the result itself in the blocking one;
/// - `IntoFuture` for the async call, so that it is `.await`ed without `send`.
///
/// ```
/// use autessa_runtime::{ApiResponse, Error, Flavour, HttpClient, Method};
///
/// autessa_runtime::call! {
///     /// Lists pets.
///     #[derive(Clone, Debug)]
///     pub struct ListPets<'a> {
///         owner: &'a str,
///     }
///
///     pub fn send(self) -> Result<ApiResponse<Vec<String>>, Error<serde_json::Value>> {
///         let http = self.http;
///         let request = F::async_client(http)
///             .request(Method::GET, "listPets", "/pets")
///             .query("owner", &self.owner)
///             .query("limit", &self.limit);
///         F::wait(http, F::async_client(http).send_json(request))
///     }
///
///     /// Sets the `limit` query parameter.
///     pub fn with_limit(limit: i64);
/// }
///
/// let http = HttpClient::builder("http://127.0.0.1:9").build().unwrap();
/// let call: ListPets = ListPets::new(&http, "ann").with_limit(10);
/// # drop(call);
/// ```
#[macro_export]
macro_rules! call {
    (
        $(#[$attr:meta])*
        pub struct $call:ident<$lt:lifetime> {
            $($(#[doc = $doc:expr])* $field:ident : $ty:ty),* $(,)?
        }

        pub fn send($self:ident) -> $output:ty $body:block

        $(
            $(#[doc = $setter_doc:expr])*
            pub fn $setter:ident($optional:ident : $optional_ty:ty $(,)?);
        )*
    ) => {
        $(#[$attr])*
        #[must_use = "a call does nothing until it is sent"]
        pub struct $call<$lt, F: $crate::Flavour = $crate::Async> {
            http: &$lt F::Http,
            $($(#[doc = $doc])* $field: $ty,)*
            $($optional: ::core::option::Option<$optional_ty>,)*
        }

        impl<$lt, F: $crate::Flavour> $call<$lt, F> {
            /// The call with these arguments and every optional parameter unset.
            #[allow(clippy::too_many_arguments, clippy::self_named_constructors)]
            pub(crate) fn new(http: &$lt F::Http, $($field: $ty),*) -> Self {
                Self {
                    http,
                    $($field,)*
                    $($optional: ::core::option::Option::None,)*
                }
            }

            $(
                $(#[doc = $setter_doc])*
                pub fn $setter(mut self, value: $optional_ty) -> Self {
                    self.$optional = ::core::option::Option::Some(value);
                    self
                }
            )*

            /// Sends the request and decodes the response: a future to `.await` in the async
            /// client, the result in the blocking one.
            pub fn send($self) -> F::Wait<impl ::core::future::Future<Output = $output>> $body
        }

        impl<$lt> ::core::future::IntoFuture for $call<$lt, $crate::Async> {
            type Output = $output;
            type IntoFuture = ::core::pin::Pin<
                ::std::boxed::Box<
                    dyn ::core::future::Future<Output = Self::Output> + ::core::marker::Send + $lt,
                >,
            >;

            fn into_future(self) -> Self::IntoFuture {
                ::std::boxed::Box::pin(self.send())
            }
        }
    };
}
