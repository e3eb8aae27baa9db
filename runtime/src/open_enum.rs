//! The impls of the generated string enumerations: [`open_enum!`](crate::open_enum!).

/// Implements, for an enum of string values with a fallback variant that keeps any other
/// value, what the enum's wire form gives it: `as_str`, `From<&str>`, `Display`, `Serialize`
/// and `Deserialize`, and comparison, ordering and hashing as the wire value (so a value
/// added to the schema later changes no comparison, and a known value kept as unknown
/// equals its variant).
///
/// Declared with its enum (its attributes are its doc comment, or its name stands for it,
/// and one `#[derive(..)]`), each variant with its wire value (documented as that value,
/// and after it as its own doc comment says), the fallback last:
///
/// ```
/// autessa_runtime::open_enum! {
///     /// Who sees a repository.
///     #[derive(Clone, Debug, Default)]
///     pub enum Visibility {
///         #[default]
///         Public = "public",
///         ///
///         /// Only its members.
///         Private = "private",
///         _ = Unknown,
///     }
/// }
///
/// assert_eq!(Visibility::from("private"), Visibility::Private);
/// assert_eq!(Visibility::from("internal").as_str(), "internal");
/// assert_eq!(Visibility::Unknown("public".into()), Visibility::Public);
/// assert_eq!(Visibility::default(), Visibility::Public);
/// let read: Vec<Visibility> = serde_json::from_str(r#"["public", "secret"]"#).unwrap();
/// assert_eq!(serde_json::to_string(&read).unwrap(), r#"["public","secret"]"#);
/// ```
///
/// or, for an enum declared apart, as `open_enum!(Visibility { Public = "public", _ = Unknown });`.
#[macro_export]
macro_rules! open_enum {
    (
        $(#[doc = $doc:literal])*
        #[derive($($derive:path),* $(,)?)]
        pub enum $ty:ident {
            $($(#[$variant_attr:meta])* $variant:ident = $wire:literal,)*
            _ = $fallback:ident $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[doc = $crate::open_enum!(@undocumented [$($doc)*] $ty)]
        #[derive($($derive),*)]
        #[non_exhaustive]
        pub enum $ty {
            $(
                #[doc = ::core::concat!("`", $wire, "`")]
                $(#[$variant_attr])*
                $variant,
            )*
            /// A value this client does not know, kept as received.
            $fallback(::std::string::String),
        }

        $crate::open_enum!($ty { $($variant = $wire,)* _ = $fallback });
    };
    (@undocumented [] $ty:ident) => { ::core::concat!("`", ::core::stringify!($ty), "`.") };
    (@undocumented [$($doc:tt)+] $ty:ident) => { "" };
    ($ty:ident { $($variant:ident = $wire:literal,)* _ = $fallback:ident $(,)? }) => {
        impl $ty {
            /// The value as written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::$fallback(value) => value,
                }
            }
        }

        impl ::core::convert::From<&str> for $ty {
            /// The variant for a value as written on the wire; a value this client does not
            /// know is kept as received.
            fn from(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)*
                    other => Self::$fallback(::std::borrow::ToOwned::to_owned(other)),
                }
            }
        }

        impl ::core::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::core::cmp::PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl ::core::cmp::Eq for $ty {}

        impl ::core::hash::Hash for $ty {
            fn hash<H: ::core::hash::Hasher>(&self, state: &mut H) {
                ::core::hash::Hash::hash(self.as_str(), state);
            }
        }

        impl ::core::cmp::PartialOrd for $ty {
            fn partial_cmp(&self, other: &Self) -> ::core::option::Option<::core::cmp::Ordering> {
                ::core::option::Option::Some(::core::cmp::Ord::cmp(self, other))
            }
        }

        impl ::core::cmp::Ord for $ty {
            fn cmp(&self, other: &Self) -> ::core::cmp::Ordering {
                ::core::cmp::Ord::cmp(self.as_str(), other.as_str())
            }
        }

        impl $crate::serde::Serialize for $ty {
            fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
            where
                S: $crate::serde::Serializer,
            {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::serde::Deserialize<'de> for $ty {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: $crate::serde::Deserializer<'de>,
            {
                $crate::from_wire(deserializer)
            }
        }
    };
}
