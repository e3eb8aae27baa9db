//! Turning parameter values and form members into the text that goes on the wire.
//!
//! Values go through `serde_json::Value`: strings are used raw, numbers and booleans as their
//! JSON text, `null` is left out, and objects become compact JSON text unless a form style
//! says how to spread them.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde_json::Value;

/// Characters left as they are in a path segment: the RFC 3986 unreserved set.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Turns a path parameter into a percent-encoded path segment.
///
/// Strings are used raw, numbers and booleans as their JSON text, arrays as comma-separated
/// items, objects as compact JSON, `null` as the empty string. Everything but letters, digits
/// and `-._~` is percent-encoded, so `/`, `?`, `#`, `%`, spaces and non-ASCII text cannot change
/// the shape of the URL.
///
/// A value whose `Serialize` implementation fails gives the empty string. A segment that is
/// exactly `.` or `..` is rejected when the request is sent (URL parsers would resolve it).
///
/// ```
/// assert_eq!(autessa_runtime::path_segment("a/b c"), "a%2Fb%20c");
/// assert_eq!(autessa_runtime::path_segment(&42), "42");
/// ```
pub fn path_segment<T: Serialize + ?Sized>(value: &T) -> String {
    let text = serde_json::to_value(value)
        .map(joined_text)
        .unwrap_or_default()
        .unwrap_or_default();
    utf8_percent_encode(&text, PATH_SEGMENT).to_string()
}

/// The text of a scalar; `None` for `null`; compact JSON for arrays and objects.
pub(crate) fn scalar_text(value: Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        compound @ (Value::Array(_) | Value::Object(_)) => Some(compound.to_string()),
    }
}

/// Header and path values: array items joined with `,`, nothing for `null`.
pub(crate) fn joined_text(value: Value) -> Option<String> {
    match value {
        Value::Array(items) => Some(
            items
                .into_iter()
                .filter_map(scalar_text)
                .collect::<Vec<_>>()
                .join(","),
        ),
        other => scalar_text(other),
    }
}

/// How a member of a form body is written: OpenAPI's `style` and `explode` for
/// `application/x-www-form-urlencoded` (and for `multipart/form-data` members that name a
/// style). Values inside what a style spreads out are written as compact JSON.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FormStyle {
    /// `style: form, explode: true`, the default: an array as one field per item
    /// (`a=1&a=2`), an object as one field per member (`x=1&y=2`).
    #[default]
    Exploded,
    /// `style: form, explode: false`: an array as `a=1,2`, an object as `a=x,1,y,2`.
    Comma,
    /// `style: spaceDelimited, explode: false`: an array as `a=1 2`.
    Space,
    /// `style: pipeDelimited, explode: false`: an array as `a=1|2`.
    Pipe,
    /// `style: deepObject`: an object as `a[x]=1&a[y]=2`; nested objects and arrays go on
    /// in brackets (`a[list][0]=v`), as Stripe and `qs` write them.
    DeepObject,
}

/// The fields of one form member `name`, written in `style`; nothing for `null`.
pub(crate) fn form_fields(
    name: &str,
    value: Value,
    style: FormStyle,
    out: &mut Vec<(String, String)>,
) {
    let separator = match style {
        FormStyle::Comma => ",",
        FormStyle::Space => " ",
        FormStyle::Pipe => "|",
        FormStyle::DeepObject => return deep_fields(name.to_owned(), value, out),
        FormStyle::Exploded => match value {
            Value::Array(items) => {
                out.extend(
                    items
                        .into_iter()
                        .filter_map(scalar_text)
                        .map(|t| (name.to_owned(), t)),
                );
                return;
            }
            Value::Object(members) => {
                out.extend(
                    members
                        .into_iter()
                        .filter_map(|(k, v)| Some((k, scalar_text(v)?))),
                );
                return;
            }
            _ => "",
        },
    };
    let text = match value {
        Value::Array(items) => items
            .into_iter()
            .filter_map(scalar_text)
            .collect::<Vec<_>>()
            .join(separator),
        Value::Object(members) => members
            .into_iter()
            .filter_map(|(k, v)| Some([k, scalar_text(v)?]))
            .flatten()
            .collect::<Vec<_>>()
            .join(separator),
        scalar => match scalar_text(scalar) {
            Some(text) => text,
            None => return,
        },
    };
    out.push((name.to_owned(), text));
}

/// `deepObject` fields: `key[member]` for objects, `key[index]` for arrays.
fn deep_fields(key: String, value: Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(members) => {
            for (member, value) in members {
                deep_fields(format!("{key}[{member}]"), value, out);
            }
        }
        Value::Array(items) => {
            for (index, value) in items.into_iter().enumerate() {
                deep_fields(format!("{key}[{index}]"), value, out);
            }
        }
        scalar => out.extend(scalar_text(scalar).map(|text| (key, text))),
    }
}

/// An `application/x-www-form-urlencoded` body: each member of `body` (which must serialize
/// to an object) written in the style `styles` gives it, [`FormStyle::Exploded`] otherwise.
pub(crate) fn form_body<T: Serialize + ?Sized>(
    body: &T,
    styles: &[(&str, FormStyle)],
) -> Result<String, serde_json::Error> {
    let Value::Object(members) = serde_json::to_value(body)? else {
        return Err(encode_error("a form body must be an object".to_owned()));
    };
    let mut fields = Vec::with_capacity(members.len());
    for (name, value) in members {
        let style = styles
            .iter()
            .find(|(n, _)| *n == name)
            .map_or_else(FormStyle::default, |(_, s)| *s);
        form_fields(&name, value, style, &mut fields);
    }
    Ok(url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish())
}

/// An encoding failure as the `serde_json::Error` that [`Error::Encode`](crate::Error::Encode)
/// carries.
pub(crate) fn encode_error(message: String) -> serde_json::Error {
    <serde_json::Error as serde::ser::Error>::custom(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn path_segment_encodes_reserved_and_non_ascii() {
        assert_eq!(path_segment("plain-id_1.2~x"), "plain-id_1.2~x");
        assert_eq!(path_segment("a/b"), "a%2Fb");
        assert_eq!(path_segment("a?b#c"), "a%3Fb%23c");
        assert_eq!(path_segment("100%"), "100%25");
        assert_eq!(path_segment("a b"), "a%20b");
        assert_eq!(path_segment("é"), "%C3%A9");
        assert_eq!(path_segment("a&b=c;d+e"), "a%26b%3Dc%3Bd%2Be");
    }

    #[test]
    fn path_segment_scalars() {
        assert_eq!(path_segment(&42_i64), "42");
        assert_eq!(path_segment(&-7_i32), "-7");
        assert_eq!(path_segment(&1.5_f64), "1.5");
        assert_eq!(path_segment(&true), "true");
        assert_eq!(path_segment(&None::<u8>), "");
        assert_eq!(path_segment(&["a", "b"]), "a%2Cb");
        assert_eq!(path_segment(&String::from("x")), "x");
    }

    /// The query fields of `value` named `q`, as `RequestBuilder::query` writes them.
    fn fields_of(value: Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        form_fields("q", value, FormStyle::Exploded, &mut out);
        out
    }

    /// The texts of those fields.
    fn texts<T: Serialize>(value: T) -> Vec<String> {
        let fields = fields_of(serde_json::to_value(&value).unwrap());
        fields.into_iter().map(|(_, text)| text).collect()
    }

    #[test]
    fn query_texts_of_rust_values() {
        #[derive(Serialize)]
        enum State {
            #[serde(rename = "LIVE")]
            Live,
        }
        #[derive(Serialize)]
        struct Id(u64);
        assert_eq!(texts(42_i64), ["42"]);
        assert_eq!(texts(i64::MIN), [i64::MIN.to_string()]);
        assert_eq!(texts(u64::MAX), [u64::MAX.to_string()]);
        assert_eq!(texts(-7_i8), ["-7"]);
        assert_eq!(texts(true), ["true"]);
        assert_eq!(texts("a b&c=d/é"), ["a b&c=d/é"]);
        assert_eq!(texts('x'), ["x"]);
        assert!(texts(None::<i32>).is_empty());
        assert_eq!(texts(Some(5_u16)), ["5"]);
        assert_eq!(texts(State::Live), ["LIVE"]);
        assert_eq!(texts(Id(9)), ["9"]);
        assert!(texts(()).is_empty());
        assert_eq!(texts(1.5_f64), ["1.5"]);
    }

    #[test]
    fn query_values_spread_as_form_exploded() {
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(fields_of(json!("raw text")), pairs(&[("q", "raw text")]));
        assert_eq!(fields_of(json!(12)), pairs(&[("q", "12")]));
        assert_eq!(fields_of(json!(false)), pairs(&[("q", "false")]));
        assert!(fields_of(json!(null)).is_empty());
        assert_eq!(
            fields_of(json!(["a", 1, null, true])),
            pairs(&[("q", "a"), ("q", "1"), ("q", "true")])
        );
        // An object's members are fields of their own; nested values are compact JSON.
        assert_eq!(
            fields_of(json!({"b": 1, "a": [2]})),
            pairs(&[("b", "1"), ("a", "[2]")])
        );
        assert_eq!(fields_of(json!([[1, 2]])), pairs(&[("q", "[1,2]")]));
    }

    #[test]
    fn joined_text_flattens() {
        assert_eq!(joined_text(json!(["a", 1])).as_deref(), Some("a,1"));
        assert_eq!(joined_text(json!("v")).as_deref(), Some("v"));
        assert_eq!(joined_text(json!(null)), None);
    }

    fn fields(value: Value, style: FormStyle) -> Vec<String> {
        let mut out = Vec::new();
        form_fields("a", value, style, &mut out);
        out.into_iter().map(|(k, v)| format!("{k}={v}")).collect()
    }

    #[test]
    fn form_styles_follow_openapi() {
        let list = || json!([1, "x y", null, true]);
        let object = || json!({"r": 100, "g": "2", "n": null});
        assert_eq!(
            fields(list(), FormStyle::Exploded),
            ["a=1", "a=x y", "a=true"]
        );
        assert_eq!(fields(list(), FormStyle::Comma), ["a=1,x y,true"]);
        assert_eq!(fields(list(), FormStyle::Space), ["a=1 x y true"]);
        assert_eq!(fields(list(), FormStyle::Pipe), ["a=1|x y|true"]);
        assert_eq!(fields(object(), FormStyle::Exploded), ["r=100", "g=2"]);
        assert_eq!(fields(object(), FormStyle::Comma), ["a=r,100,g,2"]);
        assert_eq!(
            fields(object(), FormStyle::DeepObject),
            ["a[r]=100", "a[g]=2"]
        );
        assert_eq!(
            fields(
                json!({"x": {"y": [1, {"z": false}]}}),
                FormStyle::DeepObject
            ),
            ["a[x][y][0]=1", "a[x][y][1][z]=false"]
        );
        assert_eq!(
            fields(json!(["p", "q"]), FormStyle::DeepObject),
            ["a[0]=p", "a[1]=q"]
        );
        // Scalars are the same in every style; `null` is left out.
        for style in [FormStyle::Exploded, FormStyle::Comma, FormStyle::DeepObject] {
            assert_eq!(fields(json!(2.5), style), ["a=2.5"]);
            assert!(fields(json!(null), style).is_empty());
        }
        // What a style does not spread is compact JSON.
        assert_eq!(fields(json!([[1, 2]]), FormStyle::Exploded), ["a=[1,2]"]);
    }

    #[test]
    fn form_bodies_are_percent_encoded() {
        let body = json!({"q": "a&b c", "ids": [1, 2], "meta": {"k": "v"}, "tags": ["x", "y"], "skip": null});
        let styles = [("meta", FormStyle::DeepObject), ("tags", FormStyle::Comma)];
        assert_eq!(
            form_body(&body, &styles).unwrap(),
            "q=a%26b+c&ids=1&ids=2&meta%5Bk%5D=v&tags=x%2Cy"
        );
        assert!(form_body(&json!([1]), &[]).is_err());
    }
}
