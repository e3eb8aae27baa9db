//! The generated structs, declared once: [`model!`](crate::model!).

/// Declares a struct of a schema: the struct (`#[non_exhaustive]`, so that a member added
/// later is a minor change; documented with its name when it has no doc comment; its
/// attributes are its doc comment and one `#[derive(..)]`), its `new` with the required members, a `with_` setter per
/// optional member, and its serde impls through [`object!`](crate::object!).
///
/// Each member is `pub name: Type = mode "wire"` (documented as "The `wire` member." when it
/// has no doc comment), optionally followed by `read_only`, and
/// for an optional member by `=> with_name(Argument)`, the setter and what it takes (it
/// stores `Some(argument.into())`). The modes are those of [`object!`](crate::object!),
/// and `constant`: a required member with one possible value, which `new` fills in with
/// its `Default`.
///
/// `new` lists what it takes, the required members that are not constants, in order (left
/// out when it takes nothing); each is stored with `.into()`, so that a `String` member may
/// take `impl Into<String>`.
///
/// ```
/// autessa_runtime::model! {
///     /// A pet.
///     #[derive(Clone, Debug, PartialEq)]
///     pub struct Pet {
///         /// Its name.
///         pub name: String = required "name",
///         pub tag: Option<String> = optional "tag" => with_tag(impl Into<String>),
///         pub owner: Option<Option<String>> = present "owner" => with_owner(Option<String>),
///         pub id: Option<i64> = optional "id" read_only => with_id(i64),
///     }
///     pub fn new(name: impl Into<String>);
/// }
///
/// let pet = Pet::new("Rex").with_owner(None).with_tag("good");
/// assert_eq!(serde_json::to_string(&pet).unwrap(), r#"{"name":"Rex","tag":"good","owner":null}"#);
/// let read: Pet = serde_json::from_str(r#"{"name": "Rex", "id": 7}"#).unwrap();
/// assert_eq!(read, Pet::new("Rex").with_id(7));
/// ```
#[macro_export]
macro_rules! model {
    (
        $(#[doc = $struct_doc:literal])*
        #[derive($($derive:path),* $(,)?)]
        pub struct $name:ident {
            $(
                $(#[doc = $doc:expr])*
                pub $field:ident : $ty:ty = $mode:ident $wire:literal $($flag:ident)?
                    $(=> $setter:ident($arg:ty))?
            ),* $(,)?
        }

        $(pub fn new($($param:ident : $param_ty:ty),* $(,)?);)?
    ) => {
        $(#[doc = $struct_doc])*
        #[doc = $crate::model!(@undocumented_type [$($struct_doc)*] $name)]
        #[derive($($derive),*)]
        #[non_exhaustive]
        pub struct $name {
            $(
                $(#[doc = $doc])*
                #[doc = $crate::model!(@undocumented [$($doc)*] $wire)]
                pub $field: $ty,
            )*
        }

        impl $name {
            /// A value of the members it takes, with every optional member left out.
            #[allow(
                clippy::too_many_arguments,
                clippy::useless_conversion,
                clippy::self_named_constructors
            )]
            pub fn new($($($param: $param_ty),*)?) -> Self {
                Self {
                    $($field: $crate::model!(@init $mode $field),)*
                }
            }

            $($(
                #[doc = ::core::concat!("Sets `", $wire, "`.")]
                #[must_use]
                #[allow(clippy::useless_conversion)]
                pub fn $setter(mut self, value: $arg) -> Self {
                    self.$field = ::core::option::Option::Some(value.into());
                    self
                }
            )?)*
        }

        $crate::object!($name { $($field: $mode $wire $($flag)?),* });
    };
    (@undocumented_type [] $name:ident) => { ::core::concat!("`", ::core::stringify!($name), "`.") };
    (@undocumented_type [$($doc:tt)+] $name:ident) => { "" };
    (@undocumented [] $wire:literal) => { ::core::concat!(" The `", $wire, "` member.") };
    (@undocumented [$($doc:tt)+] $wire:literal) => { "" };
    (@init required $field:ident) => { $field.into() };
    (@init nullable $field:ident) => { $field };
    (@init constant $field:ident) => { ::core::default::Default::default() };
    (@init $mode:ident $field:ident) => { ::core::option::Option::None };
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    crate::model! {
        /// A member of each mode.
        #[derive(Clone, Debug, PartialEq)]
        pub struct Pet {
            /// Its name.
            pub name: String = required "name",
            pub kind: Kind = constant "kind",
            pub nickname: Option<String> = nullable "nick name",
            pub tag: Option<String> = optional "tag" => with_tag(impl Into<String>),
            pub owner: Option<Option<String>> = present "owner" => with_owner(Option<String>),
            pub id: Option<i64> = optional "id" read_only => with_id(i64),
        }
        pub fn new(name: impl Into<String>, nickname: Option<String>);
    }

    crate::model! {
        /// Nothing required.
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct Note {
            pub text: Option<String> = optional "text" => with_text(impl Into<String>),
        }
    }

    #[test]
    fn a_struct_without_required_members_is_built_from_nothing() {
        assert_eq!(Note::new(), Note::default());
        assert_eq!(Note::new().with_text("hi").text.as_deref(), Some("hi"));
    }

    /// A one-value enumeration, a constant.
    #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
    pub enum Kind {
        #[default]
        #[serde(rename = "pet")]
        Pet,
    }

    #[test]
    fn new_takes_the_required_members_and_fills_in_constants() {
        let pet = Pet::new("Rex", None);
        assert_eq!(pet.name, "Rex");
        assert_eq!(pet.kind, Kind::Pet);
        assert_eq!((pet.tag, pet.owner, pet.id), (None, None, None));
        assert_eq!(
            serde_json::to_value(Pet::new("Rex", Some("R".into()))).unwrap(),
            json!({"name": "Rex", "kind": "pet", "nick name": "R"})
        );
    }

    #[test]
    fn setters_set_optional_members_and_keep_null_apart_from_absent() {
        let pet = Pet::new("Rex", None)
            .with_tag("t")
            .with_owner(None)
            .with_id(3);
        assert_eq!(pet.tag.as_deref(), Some("t"));
        assert_eq!(pet.owner, Some(None));
        assert_eq!(pet.id, Some(3));
        // `id` is read only: read, never written.
        assert_eq!(
            serde_json::to_value(&pet).unwrap(),
            json!({"name": "Rex", "kind": "pet", "nick name": null, "tag": "t", "owner": null})
        );
        let read: Pet = serde_json::from_value(
            json!({"name": "Rex", "kind": "pet", "nick name": null, "id": 3}),
        )
        .unwrap();
        assert_eq!(read, Pet::new("Rex", None).with_id(3));
    }
}
