//! serde for the generated structs: [`object!`](crate::object!) and the small generic
//! functions it calls.
//!
//! serde's derives write about 500 lines per struct (for `Deserialize`, a field enum with
//! three visitors, a sequence visitor and a map visitor), which was most of what rustc spent
//! its time on in a large generated crate. The macro names each member once and leaves the
//! rest to these functions, which are type-checked once for every struct. It reads what the
//! derive reads from a JSON object: members in any order, unknown members skipped, a
//! duplicate member an error, a missing required member an error; and it writes what the
//! derive writes, members in the struct's order.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize};

/// Implements `Serialize` and `Deserialize` for a struct from its members' wire names.
///
/// Each member is `name: mode "wire"`, optionally followed by `read_only` (read, never
/// written). The mode says how the member is read and written:
///
/// | mode | absent reads as | written |
/// |---|---|---|
/// | `required` | an error | always |
/// | `constant` (one possible value) | an error | always |
/// | `nullable` (an `Option`) | `None` | always, `None` as `null` |
/// | `optional` (an `Option`) | `None`; `null` reads as the type reads it | when `Some` |
/// | `present` (an `Option`) | `None`; `null` reads as `Some` of it | when `Some` |
///
/// ```
/// #[derive(Debug, PartialEq)]
/// struct Pet {
///     name: String,
///     tag: Option<String>,
///     owner: Option<Option<String>>,
///     id: Option<i64>,
/// }
///
/// autessa_runtime::object!(Pet {
///     name: required "name",
///     tag: optional "tag",
///     owner: present "owner",
///     id: optional "id" read_only,
/// });
///
/// let pet: Pet = serde_json::from_str(r#"{"owner": null, "name": "Rex", "id": 7}"#).unwrap();
/// assert_eq!(pet, Pet { name: "Rex".into(), tag: None, owner: Some(None), id: Some(7) });
/// assert_eq!(serde_json::to_string(&pet).unwrap(), r#"{"name":"Rex","owner":null}"#);
/// ```
#[macro_export]
macro_rules! object {
    ($ty:ident { $($member:ident : $mode:ident $wire:literal $($flag:ident)?),* $(,)? }) => {
        impl $crate::serde::Serialize for $ty {
            fn serialize<__S>(&self, serializer: __S) -> ::core::result::Result<__S::Ok, __S::Error>
            where
                __S: $crate::serde::Serializer,
            {
                let len = 0 $(+ $crate::object!(@count $mode self.$member, $($flag)?))*;
                let mut object = $crate::object::Writer::new(
                    serializer.serialize_struct(::core::stringify!($ty), len)?,
                );
                $($crate::object!(@write $mode object self.$member, $wire $($flag)?);)*
                object.end()
            }
        }

        impl<'de> $crate::serde::Deserialize<'de> for $ty {
            fn deserialize<__D>(deserializer: __D) -> ::core::result::Result<Self, __D::Error>
            where
                __D: $crate::serde::Deserializer<'de>,
            {
                const __MEMBERS: &[&str] = &[$($wire),*];

                struct __Visitor;

                impl<'de> $crate::serde::de::Visitor<'de> for __Visitor {
                    type Value = $ty;

                    fn expecting(
                        &self,
                        f: &mut ::core::fmt::Formatter<'_>,
                    ) -> ::core::fmt::Result {
                        f.write_str(::core::concat!("struct ", ::core::stringify!($ty)))
                    }

                    fn visit_map<__A>(self, mut map: __A) -> ::core::result::Result<$ty, __A::Error>
                    where
                        __A: $crate::serde::de::MapAccess<'de>,
                    {
                        $(let mut $member = ::core::option::Option::None;)*
                        let mut members = $crate::object::Members::new(__MEMBERS);
                        // One `?` per loop rather than one per member: each costs rustc
                        // a trait resolution.
                        while let ::core::option::Option::Some(wire) =
                            map.next_key_seed(&mut members)?
                        {
                            let read = match wire {
                                $(::core::option::Option::Some($wire) => {
                                    $crate::object!(@read $mode $member map $wire)
                                })*
                                _ => $crate::object::skip(&mut map),
                            };
                            read?;
                        }
                        $($crate::object!(@need $mode $member $wire);)*
                        ::core::result::Result::Ok($ty {
                            $($member: $crate::object!(@take $mode $member),)*
                        })
                    }
                }

                deserializer.deserialize_struct(::core::stringify!($ty), __MEMBERS, __Visitor)
            }
        }
    };
    (@count $mode:ident $value:expr, read_only) => { 0 };
    (@count required $value:expr,) => { 1 };
    (@count constant $value:expr,) => { 1 };
    (@count nullable $value:expr,) => { 1 };
    (@count $mode:ident $value:expr,) => { ::core::option::Option::is_some(&$value) as usize };
    (@write $mode:ident $object:ident $value:expr, $wire:literal read_only) => {};
    (@write required $object:ident $value:expr, $wire:literal) => {
        $object.member($wire, &$value)
    };
    (@write constant $object:ident $value:expr, $wire:literal) => {
        $object.member($wire, &$value)
    };
    (@write nullable $object:ident $value:expr, $wire:literal) => {
        $object.member($wire, &$value)
    };
    (@write $mode:ident $object:ident $value:expr, $wire:literal) => {
        $object.optional($wire, &$value)
    };
    (@read present $slot:ident $map:ident $wire:literal) => {
        $crate::object::read_present(&mut $slot, &mut $map, $wire)
    };
    (@read $mode:ident $slot:ident $map:ident $wire:literal) => {
        $crate::object::read(&mut $slot, &mut $map, $wire)
    };
    (@need required $slot:ident $wire:literal) => {
        let ::core::option::Option::Some($slot) = $slot else {
            return ::core::result::Result::Err($crate::object::missing($wire));
        };
    };
    (@need constant $slot:ident $wire:literal) => {
        $crate::object!(@need required $slot $wire)
    };
    (@need $mode:ident $slot:ident $wire:literal) => {};
    (@take required $slot:ident) => {
        $slot
    };
    (@take constant $slot:ident) => {
        $slot
    };
    (@take $mode:ident $slot:ident) => {
        $slot.unwrap_or_default()
    };
}

/// Writes the members of one struct, keeping the first error rather than returning at
/// each member.
pub struct Writer<S: SerializeStruct> {
    inner: S,
    error: Option<S::Error>,
}

impl<S: SerializeStruct> Writer<S> {
    /// Writes into `inner`.
    pub fn new(inner: S) -> Self {
        Writer { inner, error: None }
    }

    /// Writes a member.
    pub fn member<T: Serialize + ?Sized>(&mut self, wire: &'static str, value: &T) {
        if self.error.is_none()
            && let Err(error) = self.inner.serialize_field(wire, value)
        {
            self.error = Some(error);
        }
    }

    /// Writes a member that is set, and leaves out one that is not.
    pub fn optional<T: Serialize>(&mut self, wire: &'static str, value: &Option<T>) {
        if let Some(value) = value {
            self.member(wire, value);
        }
    }

    /// Ends the struct, or returns the first error.
    pub fn end(self) -> Result<S::Ok, S::Error> {
        match self.error {
            Some(error) => Err(error),
            None => self.inner.end(),
        }
    }
}

/// The member names of one struct, as a seed that reads a key and finds its name.
///
/// Servers mostly write members in the order of their schema, so the member after the last
/// one found is tried first.
pub struct Members {
    names: &'static [&'static str],
    next: usize,
}

impl Members {
    /// The seed for a struct with these members.
    pub fn new(names: &'static [&'static str]) -> Self {
        Members { names, next: 0 }
    }

    /// The member named `key`; `None` for a member the struct does not have (not `""`,
    /// which is a member name a schema may use).
    fn find(&mut self, key: &str) -> Option<&'static str> {
        let found = match self.names.get(self.next) {
            Some(name) if *name == key => Some(self.next),
            _ => self.names.iter().position(|name| *name == key),
        };
        found.map(|index| {
            self.next = index + 1;
            self.names[index]
        })
    }
}

impl<'de> DeserializeSeed<'de> for &mut Members {
    type Value = Option<&'static str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for &mut Members {
    type Value = Option<&'static str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.find(key))
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<Self::Value, E> {
        Ok(std::str::from_utf8(key).ok().and_then(|key| self.find(key)))
    }
}

/// Reads the value of a member into its slot; a member that comes twice is an error.
pub fn read<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
    wire: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(wire));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Reads the value of a member that may be `null` into its slot as `Some`, so that `null`
/// and absent stay apart.
pub fn read_present<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<Option<T>>,
    map: &mut A,
    wire: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(wire));
    }
    *slot = Some(Some(map.next_value()?));
    Ok(())
}

/// Skips the value of a member the struct does not have.
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(drop)
}

/// The error for a required member that is absent.
pub fn missing<E: de::Error>(wire: &'static str) -> E {
    E::missing_field(wire)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[derive(Debug, PartialEq)]
    struct Pet {
        name: String,
        nickname: Option<String>,
        tag: Option<String>,
        owner: Option<Option<String>>,
        r#type: Option<i64>,
        id: i64,
    }

    crate::object!(Pet {
        name: required "name",
        nickname: nullable "nick name",
        tag: optional "tag",
        owner: present "owner",
        r#type: optional "type",
        id: required "id" read_only,
    });

    fn pet(value: serde_json::Value) -> Result<Pet, String> {
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    #[test]
    fn members_are_read_in_any_order_and_unknown_ones_skipped() {
        let read =
            pet(json!({"type": 3, "extra": [1, {"a": 2}], "tag": "t", "id": 1, "name": "Rex"}));
        assert_eq!(
            read.unwrap(),
            Pet {
                name: "Rex".into(),
                nickname: None,
                tag: Some("t".into()),
                owner: None,
                r#type: Some(3),
                id: 1,
            }
        );
    }

    #[test]
    fn null_and_absent_stay_apart_where_the_member_says_so() {
        let read = pet(json!({"name": "Rex", "id": 1, "owner": null, "tag": null})).unwrap();
        assert_eq!(read.owner, Some(None));
        assert_eq!(read.tag, None);
        let read = pet(json!({"name": "Rex", "id": 1, "owner": "Ann"})).unwrap();
        assert_eq!(read.owner, Some(Some("Ann".into())));
    }

    #[test]
    fn missing_duplicate_and_mistyped_members_are_errors_as_with_the_derive() {
        assert_eq!(pet(json!({"id": 1})).unwrap_err(), "missing field `name`");
        let twice = r#"{"name": "a", "name": "b", "id": 1}"#;
        let error = serde_json::from_str::<Pet>(twice).unwrap_err().to_string();
        assert!(error.starts_with("duplicate field `name`"), "{error}");
        assert_eq!(
            pet(json!({"name": 1, "id": 1})).unwrap_err(),
            "invalid type: integer `1`, expected a string"
        );
        assert_eq!(
            pet(json!([1])).unwrap_err(),
            "invalid type: sequence, expected struct Pet"
        );
    }

    #[test]
    fn members_are_written_in_order_unset_and_read_only_ones_left_out() {
        let mut value = pet(json!({"name": "Rex", "id": 1, "owner": null})).unwrap();
        let written = serde_json::to_string(&value).unwrap();
        assert_eq!(written, r#"{"name":"Rex","nick name":null,"owner":null}"#);
        value.tag = Some("t".into());
        value.owner = None;
        let written = serde_json::to_value(&value).unwrap();
        assert_eq!(
            written,
            json!({"name": "Rex", "nick name": null, "tag": "t"})
        );
    }

    #[test]
    fn an_object_with_no_member_written_is_still_an_object() {
        #[derive(Debug, PartialEq)]
        struct Empty {
            note: Option<String>,
        }
        crate::object!(Empty { note: optional "note" });
        assert_eq!(serde_json::to_string(&Empty { note: None }).unwrap(), "{}");
        let read: Empty = serde_json::from_str(r#"{"other": 1}"#).unwrap();
        assert_eq!(read, Empty { note: None });
    }

    #[test]
    fn a_decoding_error_names_the_path_to_the_member() {
        let text = r#"{"name": "Rex", "id": 1, "type": "three"}"#;
        let mut json = serde_json::Deserializer::from_str(text);
        let error = serde_path_to_error::deserialize::<_, Pet>(&mut json).unwrap_err();
        assert_eq!(error.path().to_string(), "type");
    }

    #[derive(Debug, PartialEq)]
    struct Blank {
        blank: Option<i64>,
    }

    crate::object!(Blank {
        blank: optional "",
    });

    #[test]
    fn a_member_named_by_the_empty_string_takes_only_its_own_key() {
        let read: Blank = serde_json::from_str(r#"{"other": "x", "": 1, "more": [2]}"#).unwrap();
        assert_eq!(read, Blank { blank: Some(1) });
        let read: Blank = serde_json::from_str(r#"{"other": 5}"#).unwrap();
        assert_eq!(read, Blank { blank: None });
    }
}
