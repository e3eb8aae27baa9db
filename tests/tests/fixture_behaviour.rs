//! What the snapshot crates do at run time: the serde shape of every construct, checked on
//! the wire format, and the generated client's requests checked by the mock server against
//! the fixture spec.

use fixture_hostile::types as hostile;
use fixture_objects::types as objects;
use fixture_operations::types as ops;
use fixture_unions::types as unions;
use serde_json::{Value, json};

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug + PartialEq>(
    wire: Value,
) -> T {
    let value: T = serde_json::from_value(wire.clone())
        .unwrap_or_else(|e| panic!("{wire} does not decode: {e}"));
    assert_eq!(
        serde_json::to_value(&value).unwrap(),
        wire,
        "{value:?} does not encode back"
    );
    value
}

#[test]
fn tagged_unions_dispatch_on_the_tag_and_write_it_back() {
    let pet: unions::Pet = round_trip(json!({"kind": "cat", "lives": 9}));
    assert_eq!(pet, unions::Pet::Cat(unions::Cat::new(9)));
    let shape: unions::Shape = round_trip(json!({"type": "Square", "side": 2.5}));
    assert_eq!(shape, unions::Shape::Square(unions::Square::new(2.5)));
}

#[test]
fn members_with_a_constant_member_are_tagged_by_it() {
    let attached: unions::DiskState = round_trip(json!({"state": "attached", "instance": "i-1"}));
    let unions::DiskState::Attached(member) = &attached else {
        panic!("not the attached member: {attached:?}");
    };
    assert_eq!(member.instance, "i-1");
    let creating: unions::DiskState = round_trip(json!({"state": "creating"}));
    assert!(
        matches!(creating, unions::DiskState::Creating(_)),
        "{creating:?}"
    );
    // A tag this client does not know is kept, not forced into a member.
    let later = json!({"state": "destroyed"});
    assert_eq!(
        round_trip::<unions::DiskState>(later.clone()),
        unions::DiskState::Unknown(later)
    );
    // A member used on its own keeps its tag member, and its union stays untagged.
    assert_eq!(
        serde_json::to_value(unions::Beep::new()).unwrap(),
        json!({"sound": "beep"})
    );
    let signal: unions::Signal = round_trip(json!({"sound": "beep"}));
    assert_eq!(signal, unions::Signal::Beep(unions::Beep::new()));
}

#[test]
fn a_one_of_of_constants_is_one_enumeration() {
    assert_eq!(
        round_trip::<unions::SortMode>(json!("name_descending")),
        unions::SortMode::NameDescending
    );
    assert_eq!(unions::SortMode::NameAscending.as_str(), "name_ascending");
    assert_eq!(
        round_trip::<unions::SortMode>(json!("newest")),
        unions::SortMode::Unknown("newest".to_owned())
    );
}

#[test]
fn an_optional_member_with_one_possible_value_may_be_absent() {
    let grants: objects::Grants = serde_json::from_value(json!({})).unwrap();
    assert_eq!(grants, objects::Grants::new());
    assert_eq!(serde_json::to_value(&grants).unwrap(), json!({}));
    let set = objects::Grants::new().with_workflows(objects::GrantsWorkflows::Write);
    assert_eq!(
        serde_json::to_value(&set).unwrap(),
        json!({"workflows": "write"})
    );
    let read: objects::Grants = round_trip(json!({"workflows": "write"}));
    assert_eq!(read, set);
}

#[test]
fn inline_objects_with_the_same_members_are_one_type() {
    // One type for both people and their addresses; the inline copy of `Geo` is `Geo`.
    let person = objects::VenueOwner::new()
        .with_name("Ada")
        .with_address(objects::VenueOwnerAddress::new().with_city("Lyon"));
    let venue = objects::Venue::new()
        .with_location(objects::Geo::new(45.76, 4.84))
        .with_owner(person.clone())
        .with_manager(person);
    let wire = json!({
        "location": {"lat": 45.76, "lon": 4.84},
        "owner": {"name": "Ada", "address": {"city": "Lyon"}},
        "manager": {"name": "Ada", "address": {"city": "Lyon"}},
    });
    assert_eq!(serde_json::to_value(&venue).unwrap(), wire);
    assert_eq!(round_trip::<objects::Venue>(wire), venue);
}

#[test]
fn secrets_show_whether_they_are_set_never_their_value() {
    let login = objects::Login::new("ada", "hunter2").with_token("tok-123");
    let shown = format!("{login:?} {login:#?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("tok-123"),
        "{shown}"
    );
    assert!(shown.contains(r#"user: "ada""#), "{shown}");
    assert!(shown.contains("password: <redacted>"), "{shown}");
    assert!(shown.contains("token: Some(<redacted>)"), "{shown}");
    let anonymous = objects::Login::new("ada", "hunter2");
    assert!(format!("{anonymous:?}").contains("token: None"));
    // The wire still carries them.
    assert_eq!(
        serde_json::to_value(&login).unwrap(),
        json!({"user": "ada", "password": "hunter2", "token": "tok-123"})
    );
}

#[test]
fn an_unknown_tag_is_kept_whole_and_a_malformed_known_one_is_an_error() {
    let raw = json!({"kind": "bird", "wings": 2});
    let pet: unions::Pet = round_trip(raw.clone());
    assert_eq!(pet, unions::Pet::Unknown(raw));
    let error =
        serde_json::from_value::<unions::Pet>(json!({"kind": "cat", "lives": "nine"})).unwrap_err();
    assert!(error.to_string().contains("invalid type"), "{error}");
}

#[test]
fn enums_keep_unknown_values_and_know_their_default() {
    assert_eq!(
        round_trip::<unions::Color>(json!("red")),
        unions::Color::Red
    );
    assert_eq!(
        round_trip::<unions::Color>(json!("purple")),
        unions::Color::Unknown("purple".into())
    );
    assert_eq!(unions::Color::default(), unions::Color::Green);
    assert_eq!(unions::Color::Blue.to_string(), "blue");
    assert_eq!(
        round_trip::<unions::Mode>(json!("mixed-Case")),
        unions::Mode::MixedCase
    );
}

#[test]
fn untagged_unions_try_variants_in_order_and_fall_back() {
    assert_eq!(
        round_trip::<unions::IdOrName>(json!(5)),
        unions::IdOrName::Integer(5)
    );
    assert_eq!(
        round_trip::<unions::IdOrName>(json!("five")),
        unions::IdOrName::String("five".into())
    );
    assert_eq!(
        round_trip::<unions::IdOrName>(json!(true)),
        unions::IdOrName::Unknown(json!(true))
    );
    let hit: unions::SearchHit = round_trip(json!({"rowId": 3}));
    assert!(matches!(hit, unions::SearchHit::RowHit(_)), "{hit:?}");
}

#[test]
fn nullable_references_and_flattened_members() {
    let owner: unions::Owner = round_trip(json!({"shapes": [{"type": "Circle", "radius": 1.0}]}));
    assert_eq!(owner.maybe, None);
    // An optional nullable member reads `null` as absent.
    let owner: unions::Owner = serde_json::from_value(json!({"maybe": null})).unwrap();
    assert_eq!(owner.maybe, None);
    let composite: unions::Composite =
        serde_json::from_value(json!({"kind": "cat", "lives": 3, "documentId": "d1"})).unwrap();
    assert_eq!(composite.cat.lives, 3);
    // `Cat` is also a tagged-union variant, so only the union writes its tag (the generator
    // warns about this schema); the flattened members themselves round-trip.
    assert_eq!(
        serde_json::to_value(&composite).unwrap(),
        json!({"lives": 3, "documentId": "d1"})
    );
}

#[test]
fn keyword_and_colliding_member_names_keep_their_wire_names() {
    let wire = json!({
        "type": "t", "fn": 1, "self": "s", "Self": "S", "fooBar": "a", "foo_bar": "b", "foo-bar": "c",
        "FOO_BAR": "d", "2fa": true, "": "empty", "日本語": "jp", "café": "c", "quote\"d": "q", "r#raw": "r"
    });
    let s: hostile::Struct = round_trip(wire);
    assert_eq!((s.r#type.as_str(), s.r#fn), ("t", 1));
    assert_eq!(
        (s.self_.as_deref(), s.self_2.as_deref()),
        (Some("s"), Some("S"))
    );
    assert_eq!(
        [&s.foo_bar, &s.foo_bar_2, &s.foo_bar_3, &s.foo_bar_4].map(|v| v.as_deref().unwrap()),
        ["a", "b", "c", "d"]
    );
    assert_eq!(s.n_2fa, Some(true));
}

#[test]
fn a_message_named_like_a_fallback_variant_is_still_told_apart() {
    use fixture_hostile::channels::{Live2Message, Live22Message};
    // The channels `live-2` and `live2` meet in `PascalCase`: each has its own types.
    let message = Live22Message::from_text(r#"{"other": "x"}"#).unwrap();
    let Live22Message::Unknown2(known) = &message else {
        panic!("the `Unknown` message is a message of the channel: {message:?}");
    };
    assert_eq!(known.other.as_deref(), Some("x"));
    let said = Live2Message::from_text(r#"{"text": "hi"}"#).unwrap();
    let Live2Message::Recv(said) = said else {
        panic!("`live-2` sends `recv`: {said:?}");
    };
    assert_eq!(said.text.as_deref(), Some("hi"));
}

#[test]
fn hostile_enum_values_survive_and_the_fallback_avoids_their_names() {
    for value in [
        "*/",
        "fn main() {}",
        "\n",
        "a\"b",
        "",
        "UNKNOWN",
        "Unknown",
        "unknown",
        "Other",
    ] {
        let decoded: hostile::Type1stPlace = round_trip(json!(value));
        assert_eq!(decoded.as_str(), value);
        assert!(
            !matches!(decoded, hostile::Type1stPlace::UnknownValue(_)),
            "{value:?} is a known value"
        );
    }
    let other: hostile::Type1stPlace = round_trip(json!("brand new"));
    assert_eq!(
        other,
        hostile::Type1stPlace::UnknownValue("brand new".into())
    );
}

#[test]
fn formats_decode_into_typed_values() {
    let wire = json!({
        "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "count": 1, "ratio": 0.5,
        "createdAt": "2026-11-28T10:00:00Z", "birthday": "2000-02-29", "token": "aGVsbG8=",
        "payload": "raw", "homepage": "https://example.com", "total": 9007199254740993_i64
    });
    let e: objects::Everything = round_trip(wire);
    assert_eq!(e.token.as_bytes(), b"hello");
    assert_eq!(e.id.to_string(), "7c9e6679-7425-40de-944b-e07fc1f90ae7");
    assert_eq!(e.created_at.timestamp(), 1_795_860_000);
    assert_eq!(e.total, Some(9_007_199_254_740_993));
    assert!(serde_json::from_value::<objects::Everything>(json!({"id": "not-a-uuid"})).is_err());
}

#[test]
fn optional_members_are_omitted_and_required_nullable_ones_are_null() {
    let options = objects::Options::new("a", None);
    assert_eq!(
        serde_json::to_value(&options).unwrap(),
        json!({"requiredPlain": "a", "requiredNullable": null})
    );
    let decoded: objects::Options = round_trip(
        json!({"requiredPlain": "a", "requiredNullable": null, "nullableItems": ["x", null]}),
    );
    assert_eq!(decoded.nullable_items, Some(vec![Some("x".into()), None]));
}

#[test]
fn maps_extras_recursion_and_merged_all_of() {
    let extras: objects::WithExtras = round_trip(json!({"name": "n", "a": 1, "b": 2}));
    assert_eq!(extras.additional_properties.len(), 2);
    let tree: objects::TreeNode =
        round_trip(json!({"value": "leaf", "parent": {"value": "root"}, "children": []}));
    assert_eq!(tree.parent.unwrap().value, "root");
    let derived: objects::Derived = round_trip(json!({"id": 1, "extra": true}));
    assert_eq!((derived.id, derived.extra), (1, true));
    let inline: objects::Inline =
        round_trip(json!({"address": {"geo": {"lat": 1.5}}, "status": "paused"}));
    assert_eq!(inline.status, Some(objects::InlineStatus::Paused));
}

#[test]
fn a_nullable_schema_is_nullable_where_used_and_all_of_strings_is_a_string() {
    let failed: objects::Outcome =
        round_trip(json!({"error": {"code": "gone"}, "region": "nyc3", "ids": [1, 2]}));
    assert_eq!(failed.error.map(|e| e.code).as_deref(), Some("gone"));
    assert_eq!(failed.region, Some(Some("nyc3".to_owned())));
    assert_eq!(failed.ids, Some(vec![1, 2]));
    let fine: objects::Outcome = round_trip(json!({"error": null, "region": null}));
    assert_eq!((fine.error, fine.region), (None, Some(None)));
}

#[test]
fn read_only_members_are_read_but_never_sent() {
    let read: objects::Versioned =
        serde_json::from_value(json!({"id": 7, "name": "v1", "self": "https://x/7"})).unwrap();
    assert_eq!((read.id, read.self_.as_deref()), (7, Some("https://x/7")));
    assert_eq!(serde_json::to_value(&read).unwrap(), json!({"name": "v1"}));
}

#[test]
fn a_string_with_object_keywords_is_a_string_and_undescribed_required_members_are_kept() {
    let loose: objects::Loose = round_trip(json!({"uri": "spotify:album:1", "anything": [1]}));
    assert_eq!(loose.uri, "spotify:album:1");
    assert_eq!(loose.anything, json!([1]));
    assert!(serde_json::from_value::<objects::Loose>(json!({"uri": "x"})).is_err());
}

#[test]
fn references_across_files_resolve_to_one_type() {
    use fixture_refs::types as refs;
    let widget = refs::Widget::new("7c9e6679-7425-40de-944b-e07fc1f90ae7".parse().unwrap())
        .with_gadget(Box::new(refs::Gadget::new().with_size(1)));
    let response = refs::GetWidgetResponse::new()
        .with_widget(widget.clone())
        .with_related(vec![widget]);
    let wire = serde_json::to_value(&response).unwrap();
    assert_eq!(wire["related"][0]["gadget"]["size"], 1);
}

#[test]
fn openapi_31_schemas_decode_as_json_schema_2020_12_reads_them() {
    use fixture_openapi31::types as v31;
    let wire = json!({
        "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
        "kind": "record",
        "version": 2,
        "note": null,
        "anything": {"any": ["thing"]},
        "size": 3,
        "point": [1.5, -2.0],
        "pair": ["a", 1],
        "extras": [null, true],
        "owner": {"name": "ada"},
        "parent": null,
        "const": "a member",
        "type": "plain"
    });
    let record: v31::Record = round_trip(wire);
    assert_eq!(record.kind, v31::RecordKind::Record);
    assert_eq!(record.size, Some(v31::RecordSize::Integer(3)));
    assert_eq!(
        record.pair,
        Some(vec![
            v31::PairItem::String("a".into()),
            v31::PairItem::Integer(1)
        ])
    );
    assert_eq!(record.parent, Some(None));
    assert_eq!(record.r#const.as_deref(), Some("a member"));
    assert_eq!(
        round_trip::<v31::RecordSize>(json!("large")),
        v31::RecordSize::String("large".into())
    );
    // `type: [object, array]`: one variant per type.
    assert_eq!(
        round_trip::<v31::Shape>(json!({"width": 2})),
        v31::Shape::ShapeVariant1(v31::ShapeVariant1::new().with_width(2))
    );
    assert_eq!(
        round_trip::<v31::Shape>(json!(["wide"])),
        v31::Shape::Array(vec!["wide".into()])
    );
    // A reference with members of its own merges them.
    let extended: v31::Extended = round_trip(json!({"name": "ada", "since": "2024-01-31"}));
    assert_eq!(extended.name, "ada");
}

mod wire {
    use std::path::PathBuf;

    use autessa_tests::mock::MockServer;
    use fixture_operations::Client;

    use super::*;

    const KEY: &str = "fixture-token";

    async fn server() -> (MockServer, Client) {
        let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/operations/spec.yaml");
        let server = autessa_tests::mock::start_rest(&spec, KEY).await;
        let client = Client::new(&server.base_url(), KEY).unwrap();
        (server, client)
    }

    #[tokio::test]
    async fn query_header_and_array_parameters_use_the_declared_names() {
        let (server, client) = server().await;
        server.respond_with_body(200, json!([{"id": 1, "name": "one"}]));
        let items = client
            .list_items()
            .with_x_trace_id("trace-1")
            .with_limit(5)
            .with_tags(&["a".to_owned(), "b b".to_owned()])
            .with_order(&ops::ListItemsOrder::Desc)
            .with_filter(&[("status".to_owned(), "open".to_owned())].into())
            .await
            .unwrap();
        assert_eq!(items.body, vec![ops::Item::new(1, "one")]);
        let request = &server.requests()[0];
        assert_eq!(
            request.query,
            [
                ("limit", "5"),
                ("tags", "a"),
                ("tags", "b b"),
                ("order", "desc"),
                ("filter[status]", "open")
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        assert_eq!(request.header("x-trace-id"), Some("trace-1"));
        assert_eq!(
            request.header("authorization"),
            Some("Bearer fixture-token")
        );
        assert_eq!(server.violations(), Vec::<String>::new());
    }

    #[tokio::test]
    async fn absent_optional_parameters_are_not_sent() {
        let (server, client) = server().await;
        server.respond_with_body(200, json!([]));
        client.list_items().await.unwrap();
        let request = &server.requests()[0];
        assert!(request.query.is_empty(), "{:?}", request.query);
        assert_eq!(request.header("x-trace-id"), None);
    }

    #[tokio::test]
    async fn path_parameters_are_encoded_into_their_segment() {
        let (server, client) = server().await;
        server.respond_with_body(200, json!({"id": 42, "name": "x"}));
        client.get_item(42).await.unwrap();
        server.respond_with_body(200, json!({"any": "thing"}));
        client
            .get_users_user_id_files_path("a b/c", "../etc")
            .await
            .unwrap();
        let error = client
            .get_users_user_id_files_path("u", "..")
            .await
            .unwrap_err();
        assert!(
            matches!(error, autessa_runtime::Error::Encode { .. }),
            "{error:?}"
        );
        let requests = server.requests();
        assert_eq!(requests.len(), 2, "a `..` segment must never be sent");
        assert_eq!(requests[0].path, "/items/42");
        assert_eq!(requests[1].path, "/users/a%20b%2Fc/files/..%2Fetc");
    }

    #[tokio::test]
    async fn typed_errors_and_untyped_success_statuses() {
        let (server, client) = server().await;
        server.respond_with_body(409, json!({"title": "taken"}));
        let error = client
            .create_item(&ops::NewItem::new("n"))
            .await
            .unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(409));
        assert_eq!(error.api_body().unwrap().title, "taken");
        server.respond_with_body(204, Value::Null);
        client.delete_item(7).await.unwrap();
        assert_eq!(server.requests()[1].method, "DELETE");
    }

    #[tokio::test]
    async fn binary_and_form_bodies() {
        let (server, client) = server().await;
        server.respond_with_body(204, Value::Null);
        client
            .upload_content(3, Some(autessa_runtime::Bytes::from_static(b"\x00\x01")))
            .await
            .unwrap();
        let upload = &server.requests()[0];
        assert_eq!(upload.body, b"\x00\x01");
        assert_eq!(
            upload.header("content-type"),
            Some("application/octet-stream")
        );
        server.respond_with_body(200, json!({"hits": [], "cursor": null}));
        let found = client
            .search(Some(&ops::SearchRequest::new().with_q("a&b").with_page(2)))
            .await
            .unwrap();
        // An explicit null is kept apart from an absent member.
        assert_eq!(found.body.cursor, Some(None));
        let search = &server.requests()[1];
        assert_eq!(String::from_utf8_lossy(&search.body), "q=a%26b&page=2");
        assert_eq!(
            search.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
    }

    #[tokio::test]
    async fn documented_headers_are_typed_and_the_quota_names_the_budget() {
        let (server, client) = server().await;
        server.set_default_headers(&[
            ("ETag", "\"v2\""),
            ("X-Tags", "red, blue,green"),
            ("X-State", "stale"),
            ("X-Remaining", "7"),
        ]);
        server.respond_with_body(200, json!({"id": 42, "name": "x"}));
        let item = client.get_item(42).await.unwrap();
        let headers: ops::GetItemHeaders = item.typed_headers();
        assert_eq!(headers.e_tag.as_deref(), Some("\"v2\""));
        assert_eq!(
            headers.x_tags,
            Some(["red", "blue", "green"].map(String::from).to_vec())
        );
        assert_eq!(headers.x_state, Some(ops::XState::Stale));
        // `listItems` and `createItem` document the same header: one struct.
        server.respond_with_body(201, json!({"id": 1, "name": "n"}));
        let created = client.create_item(&ops::NewItem::new("n")).await.unwrap();
        let remaining: ops::RemainingHeaders = created.typed_headers();
        assert_eq!(remaining.x_remaining, Some(7));
        // The document's `x-rate-limit` names `X-Remaining` as the budget left.
        server.respond_with_body(409, json!({"title": "taken"}));
        let error = client
            .create_item(&ops::NewItem::new("n"))
            .await
            .unwrap_err();
        assert_eq!(error.rate_limit().unwrap().remaining, Some(7));
        assert_eq!(fixture_operations::Client::QUOTA.window().as_secs(), 30);
        // A value that does not read as its type is `None`, not a failed call.
        server.set_default_headers(&[("X-State", "new"), ("X-Remaining", "many")]);
        server.respond_with_body(201, json!({"id": 1, "name": "n"}));
        let created = client.create_item(&ops::NewItem::new("n")).await.unwrap();
        assert_eq!(created.typed_headers().x_remaining, None);
        server.respond_with_body(200, json!({"id": 42, "name": "x"}));
        let item = client.get_item(42).await.unwrap();
        assert_eq!(
            item.typed_headers().x_state,
            Some(ops::XState::Unknown("new".into()))
        );
    }

    #[tokio::test]
    async fn operations_without_security_send_no_credentials() {
        let (server, client) = server().await;
        server.respond_with_body(200, json!("ok"));
        let _ = client.health().await;
        assert_eq!(server.requests()[0].header("authorization"), None);
    }
}

#[test]
fn enum_values_compare_order_and_hash_as_their_wire_value() {
    use std::collections::HashSet;
    let known = ops::ListItemsOrder::Desc;
    let spelled = ops::ListItemsOrder::Unknown("desc".to_owned());
    assert_eq!(
        known, spelled,
        "a known value kept as unknown equals its variant"
    );
    assert_eq!(HashSet::from([known.clone(), spelled]).len(), 1);
    let mut values = [
        ops::ListItemsOrder::Unknown("random".to_owned()),
        ops::ListItemsOrder::Desc,
        ops::ListItemsOrder::Asc,
    ];
    values.sort();
    let wire: Vec<&str> = values.iter().map(|v| v.as_str()).collect();
    assert_eq!(
        wire,
        ["asc", "desc", "random"],
        "ordered by wire value, not declaration"
    );
}

#[test]
fn a_large_variant_is_boxed_and_still_converts_and_round_trips() {
    let report = unions::Report::new("t", "a", "b", "f", "MIT", "en", "s", "n", "src", "ok");
    let summary = unions::Summary::from(report.clone());
    assert_eq!(summary, unions::Summary::Report(Box::new(report)));
    let decoded: unions::Summary = round_trip(
        json!({"title": "t", "author": "a", "body": "b", "footer": "f", "license": "MIT",
               "language": "en", "summary": "s", "notes": "n", "source": "src", "status": "ok"}),
    );
    assert_eq!(decoded, summary);
    let text: unions::Summary = round_trip(json!("short"));
    assert_eq!(text, unions::Summary::from("short".to_owned()));
    // Two aliases of `String`: the first one takes the text.
    assert_eq!(
        serde_json::from_value::<unions::IpNet>(json!("10.0.0.0/8")).unwrap(),
        unions::IpNet::Ipv4Net("10.0.0.0/8".into())
    );
}

#[test]
fn an_enum_value_listed_twice_in_the_schema_is_one_variant() {
    let first: objects::ApiVersion = round_trip(json!("2024-01-01"));
    assert_eq!(first.as_str(), "2024-01-01");
    assert!(!matches!(first, objects::ApiVersion::Unknown(_)));
}

/// Multipart and form bodies as a server that parses them sees them.
mod forms {
    use std::path::PathBuf;
    use std::time::Duration;

    use autessa_runtime::{Bytes, Error, RequestOptions, RetryPolicy};
    use autessa_tests::mock::forms::{FormRequest, FormServer};
    use fixture_forms::FilePart;
    use fixture_forms::types as forms;
    use futures_util::stream;
    use serde_json::json;

    const KEY: &str = "forms-key";

    fn client(server: &FormServer) -> fixture_forms::Client {
        let fast =
            RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(5));
        fixture_forms::Client::new(&server.base_url(), KEY)
            .unwrap()
            .with_options(RequestOptions::new().retry(fast))
    }

    /// A file in a temporary folder of the test `test` (tests run at once).
    fn temp_file(test: &str, name: &str, data: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("autessa-forms-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, data).unwrap();
        path
    }

    fn parts(request: &FormRequest) -> Vec<String> {
        request.parts().iter().map(|p| p.describe()).collect()
    }

    fn upload(path: &std::path::Path) -> forms::Upload {
        forms::Upload::new(FilePart::file(path), forms::UploadPurpose::FineTune)
            .with_count(3)
            .with_flag(true)
            .with_meta(forms::Meta::new("cli").with_tags(vec!["a".into()]))
            .with_labels(vec!["x".into(), "y y".into()])
            .with_ids(vec![1, 2])
            .with_options(forms::UploadOptions::new().with_create(true).with_days(7))
            .with_attachments(vec![
                FilePart::bytes(&b"PNG1"[..]).file_name("a.png"),
                FilePart::bytes(&b"GIF8"[..])
                    .file_name("b.gif")
                    .content_type("image/gif"),
            ])
            .with_preview(FilePart::bytes(&b"pv"[..]))
            .with_scan(FilePart::bytes(&b"%PDF"[..]).file_name("scan.pdf"))
    }

    /// Every member of `upload`, as the server reads it.
    const UPLOAD_PARTS: [&str; 14] = [
        "file; notes.txt; application/octet-stream; line 1\nline 2\n",
        "purpose; -; -; fine-tune",
        "count; -; -; 3",
        "flag; -; -; true",
        r#"meta; -; application/json; {"source":"cli","tags":["a"]}"#,
        "labels; -; -; x",
        "labels; -; -; y y",
        "ids; -; application/json; [1,2]",
        "options[create]; -; -; true",
        "options[days]; -; -; 7",
        // `image/*, image/jpeg`: the first concrete type is the default.
        "attachments; a.png; image/jpeg; PNG1",
        "attachments; b.gif; image/gif; GIF8",
        // 3.1 `contentMediaType`; a part given no file name is called `blob`, as browsers do.
        "preview; blob; image/png; pv",
        "scan; scan.pdf; application/pdf; %PDF",
    ];

    const SEARCH_FORM: &str = "q=a+b%26c&tags=t1&tags=t2&ids=1%2C2%2C3\
        &filter%5Bstatus%5D=open&filter%5Brange%5D%5Bmin%5D=1&filter%5Brange%5D%5Bmax%5D=9\
        &expand%5B0%5D=customer&expand%5B1%5D=items&sort=name%7C-date&size=10&cursor=c1";

    fn search() -> forms::SearchRequest {
        forms::SearchRequest::new("a b&c")
            .with_tags(vec!["t1".into(), "t2".into()])
            .with_ids(vec![1, 2, 3])
            .with_filter(
                forms::SearchRequestFilter::new()
                    .with_status("open")
                    .with_range(
                        forms::SearchRequestFilterRange::new()
                            .with_min(1)
                            .with_max(9),
                    ),
            )
            .with_expand(vec!["customer".into(), "items".into()])
            .with_sort(vec!["name".into(), "-date".into()])
            .with_page(
                forms::SearchRequestPage::new()
                    .with_size(10)
                    .with_cursor("c1"),
            )
    }

    #[tokio::test]
    async fn multipart_members_arrive_as_typed_parts() {
        let server = FormServer::start().await;
        server.reply_with(200, json!({"id": "f1"}));
        let path = temp_file("typed", "notes.txt", b"line 1\nline 2\n");
        let stored = client(&server).upload_file(upload(&path)).await.unwrap();
        assert_eq!(stored.body.id, "f1");
        let request = &server.requests()[0];
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("POST", "/files")
        );
        assert_eq!(request.header("x-api-key"), Some(KEY));
        let content_type = request.header("content-type").unwrap();
        assert!(
            content_type.starts_with("multipart/form-data; boundary="),
            "{content_type}"
        );
        assert!(
            request.header("content-length").is_some(),
            "every length is known"
        );
        assert_eq!(parts(request), UPLOAD_PARTS);
    }

    #[tokio::test]
    async fn form_members_follow_their_encoding_styles() {
        let server = FormServer::start().await;
        server.reply_with(200, json!(["r1"]));
        let found = client(&server).search(&search()).await.unwrap();
        assert_eq!(found.body, ["r1"]);
        let request = &server.requests()[0];
        assert_eq!(
            request.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(
            request.body,
            autessa_tests::mock::forms::FormBody::Text(SEARCH_FORM.to_owned())
        );
    }

    #[tokio::test]
    async fn a_body_shared_with_json_is_copied_and_an_optional_one_may_be_left_out() {
        let server = FormServer::start().await;
        server.reply_with(201, json!({"name": "Ann"}));
        let client = client(&server);
        let profile = forms::ProfileForm::new("Ann").with_avatar(FilePart::bytes(&b"jpg"[..]));
        let created: forms::Profile = client.create_profile(Some(profile)).await.unwrap().body;
        assert_eq!(created, forms::Profile::new("Ann"));
        client.create_profile(None).await.unwrap();
        let requests = server.requests();
        assert_eq!(
            parts(&requests[0]),
            [
                "name; -; -; Ann",
                "avatar; blob; application/octet-stream; jpg"
            ]
        );
        assert_eq!(requests[1].header("content-type"), None);
        assert_eq!(
            requests[1].body,
            autessa_tests::mock::forms::FormBody::Text(String::new())
        );
    }

    #[tokio::test]
    async fn an_operation_with_several_media_types_sends_json() {
        let server = FormServer::start().await;
        server.reply_with(204, json!(null));
        client(&server)
            .send_message(&forms::Message::new("hi"))
            .await
            .unwrap();
        let request = &server.requests()[0];
        assert_eq!(request.header("content-type"), Some("application/json"));
        assert_eq!(
            request.body,
            autessa_tests::mock::forms::FormBody::Text(r#"{"text":"hi"}"#.to_owned())
        );
    }

    fn chunks() -> impl futures_util::Stream<Item = std::io::Result<Bytes>> + Send + 'static {
        stream::iter([
            Ok(Bytes::from_static(b"a,b\n")),
            Ok(Bytes::from_static(b"1,2\n")),
        ])
    }

    #[tokio::test]
    async fn a_streamed_file_part_is_sent_chunked_and_never_retried() {
        let server = FormServer::start().await;
        server.reply_once(503, json!({}));
        server.reply_with(204, json!(null));
        let body = forms::ReplaceFileRequest::new(FilePart::stream_once(chunks(), None))
            .with_note("streamed");
        let error = client(&server).replace_file("f1", body).await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(503), "{error:?}");
        let requests = server.requests();
        assert_eq!(requests.len(), 1, "a one-shot stream is sent once");
        assert_eq!(requests[0].header("content-length"), None);
        assert_eq!(requests[0].header("transfer-encoding"), Some("chunked"));
        assert_eq!(
            parts(&requests[0]),
            [
                "content; blob; text/csv; a,b\n1,2\n",
                "note; -; -; streamed"
            ]
        );
    }

    #[tokio::test]
    async fn files_and_stream_factories_are_sent_again_on_a_retry() {
        let server = FormServer::start().await;
        server.reply_with(204, json!(null));
        let client = client(&server);
        let path = temp_file("retry", "rows.csv", b"a,b\n1,2\n");
        let sources = [
            FilePart::file(&path).file_name("blob"),
            FilePart::stream(chunks, Some(8)),
        ];
        for (round, file) in sources.into_iter().enumerate() {
            server.reply_once(503, json!({}));
            client
                .replace_file("f1", forms::ReplaceFileRequest::new(file))
                .await
                .unwrap();
            let requests = server.requests();
            assert_eq!(requests.len(), 2 * (round + 1));
            for request in &requests[2 * round..] {
                assert_eq!(parts(request), ["content; blob; text/csv; a,b\n1,2\n"]);
                assert!(request.header("content-length").is_some());
            }
        }
    }

    #[tokio::test]
    async fn an_unreadable_file_fails_before_anything_is_sent() {
        let server = FormServer::start().await;
        let missing = std::env::temp_dir().join("autessa-forms-missing/none.bin");
        let body = forms::ReplaceFileRequest::new(FilePart::file(missing));
        let error = client(&server).replace_file("f1", body).await.unwrap_err();
        let Error::Upload { source, .. } = &error else {
            panic!("expected an upload error, got {error:?}")
        };
        assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        assert!(server.requests().is_empty());
    }

    /// The server runs on a runtime of its own; the test thread stays synchronous.
    #[test]
    fn the_blocking_client_sends_the_same_bodies() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let server = runtime.block_on(FormServer::start());
        server.reply_with(200, json!({"id": "f2"}));
        let client = fixture_forms::blocking::Client::new(&server.base_url(), KEY).unwrap();
        let path = temp_file("blocking", "notes.txt", b"line 1\nline 2\n");
        let stored = client.upload_file(upload(&path)).send().unwrap();
        assert_eq!(stored.body.id, "f2");
        server.reply_with(200, json!([]));
        client.search(&search()).send().unwrap();
        let requests = server.requests();
        assert_eq!(parts(&requests[0]), UPLOAD_PARTS);
        assert_eq!(
            requests[1].body,
            autessa_tests::mock::forms::FormBody::Text(SEARCH_FORM.to_owned())
        );
    }
}
