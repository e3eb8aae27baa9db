use serde_json::{Value, json};

use super::{Semver, Wire, bump, compare};
use crate::ir::Api;
use crate::load::Sources;
use crate::lower::{Flags, lower_openapi};

fn api(doc: Value) -> Api {
    lower_openapi(Sources::from_value("spec.yaml", doc), &Flags::default()).unwrap()
}

/// A document with one operation sending `NewItem` and receiving `Item`.
fn doc(new_item: Value, item: Value, params: Value) -> Value {
    json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/items": {"post": {
            "operationId": "createItem",
            "parameters": params,
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewItem"}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}}
        }}},
        "components": {"schemas": {
            "NewItem": new_item,
            "Item": item,
            "Color": {"type": "string", "enum": ["red", "green"]}
        }}
    })
}

fn object(required: &[&str], properties: Value) -> Value {
    json!({"type": "object", "required": required, "properties": properties})
}

fn base() -> Value {
    doc(
        object(
            &["name"],
            json!({"name": {"type": "string"}, "color": {"$ref": "#/components/schemas/Color"}}),
        ),
        object(
            &["id", "name"],
            json!({"id": {"type": "integer"}, "name": {"type": "string"}, "color": {"$ref": "#/components/schemas/Color"}}),
        ),
        json!([]),
    )
}

/// The kinds and verdicts of the changes from `base()` to `changed`.
fn verdicts(changed: Value) -> Vec<(&'static str, Wire, Semver)> {
    compare(&api(base()), &api(changed))
        .changes
        .into_iter()
        .map(|c| (c.kind, c.wire, c.rust))
        .collect()
}

#[test]
fn nothing_changed_is_an_empty_report() {
    let report = compare(&api(base()), &api(base()));
    assert!(report.is_empty());
    assert_eq!(report.rust(), None);
    assert_eq!(report.summary(), "no change to the API\n");
}

#[test]
fn members_of_what_clients_send_and_receive_are_judged_by_direction() {
    let mut d = base();
    d["components"]["schemas"]["NewItem"]["properties"]["tags"] =
        json!({"type": "array", "items": {"type": "string"}});
    assert_eq!(
        verdicts(d),
        [("member-added-optional", Wire::Compatible, Semver::Minor)]
    );

    let mut d = base();
    d["components"]["schemas"]["NewItem"]["properties"]["owner"] = json!({"type": "string"});
    d["components"]["schemas"]["NewItem"]["required"] = json!(["name", "owner"]);
    assert_eq!(
        verdicts(d),
        [("member-added-required", Wire::Breaking, Semver::Major)]
    );

    // A new required member of a response breaks nobody on the wire.
    let mut d = base();
    d["components"]["schemas"]["Item"]["properties"]["owner"] = json!({"type": "string"});
    d["components"]["schemas"]["Item"]["required"] = json!(["id", "name", "owner"]);
    assert_eq!(
        verdicts(d),
        [("member-added-required", Wire::Compatible, Semver::Major)]
    );

    // A required member a client reads, removed.
    let mut d = base();
    d["components"]["schemas"]["Item"]["properties"]
        .as_object_mut()
        .unwrap()
        .remove("id");
    d["components"]["schemas"]["Item"]["required"] = json!(["name"]);
    assert_eq!(
        verdicts(d),
        [("member-removed", Wire::Breaking, Semver::Major)]
    );

    let mut d = base();
    d["components"]["schemas"]["NewItem"]["required"] = json!(["name", "color"]);
    assert_eq!(
        verdicts(d),
        [("member-required", Wire::Breaking, Semver::Major)]
    );

    let mut d = base();
    d["components"]["schemas"]["Item"]["properties"]["id"] = json!({"type": "string"});
    assert_eq!(
        verdicts(d),
        [("member-retyped", Wire::Breaking, Semver::Major)]
    );
}

#[test]
fn enum_values_added_to_what_clients_receive_break_only_strict_decoders() {
    let mut d = base();
    d["components"]["schemas"]["Color"]["enum"] = json!(["red", "green", "blue"]);
    // Color is both sent (NewItem) and received (Item).
    assert_eq!(
        verdicts(d),
        [("enum-value-added", Wire::StrictDecoders, Semver::Minor)]
    );
    let mut d = base();
    d["components"]["schemas"]["Color"]["enum"] = json!(["red"]);
    assert_eq!(
        verdicts(d),
        [("enum-value-removed", Wire::Breaking, Semver::Major)]
    );
}

#[test]
fn operations_and_parameters() {
    let mut d = base();
    d["paths"]["/items"]["get"] =
        json!({"operationId": "listItems", "responses": {"200": {"description": "ok"}}});
    assert_eq!(
        verdicts(d),
        [("operation-added", Wire::Compatible, Semver::Minor)]
    );

    let d = doc(
        base()["components"]["schemas"]["NewItem"].clone(),
        base()["components"]["schemas"]["Item"].clone(),
        json!([{"name": "limit", "in": "query", "schema": {"type": "integer"}}]),
    );
    assert_eq!(
        verdicts(d),
        [("parameter-added-optional", Wire::Compatible, Semver::Minor)]
    );
    let d = doc(
        base()["components"]["schemas"]["NewItem"].clone(),
        base()["components"]["schemas"]["Item"].clone(),
        json!([{"name": "X-Trace", "in": "header", "required": true, "schema": {"type": "string"}}]),
    );
    assert_eq!(
        verdicts(d),
        [("parameter-added-required", Wire::Breaking, Semver::Major)]
    );

    let mut d = base();
    d["paths"] = json!({});
    let changes = verdicts(d);
    assert!(
        changes.contains(&("operation-removed", Wire::Breaking, Semver::Major)),
        "{changes:?}"
    );
}

#[test]
fn the_report_reads_as_text_markdown_and_json() {
    let mut d = base();
    d["components"]["schemas"]["Color"]["enum"] = json!(["red", "green", "blue"]);
    let report = compare(&api(base()), &api(d));
    assert!(
        report
            .summary()
            .starts_with("1 change(s): wire breaks strict decoders, Rust minor")
    );
    assert!(
        report.summary().contains("type Color: value `blue` added"),
        "{}",
        report.summary()
    );
    let md = report.markdown("0.1.1");
    assert!(md.starts_with("## 0.1.1\n\nRust: **minor**."), "{md}");
    assert!(
        md.contains("| value `blue` added | type Color | minor | breaks strict decoders |"),
        "{md}"
    );
    let json = report.json();
    assert_eq!(json["rust"], "minor");
    assert_eq!(json["changes"][0]["kind"], "enum-value-added");
}

#[test]
fn versions_follow_cargo_semver_rules() {
    assert_eq!(bump("0.1.0", Semver::Major).unwrap(), "0.2.0");
    assert_eq!(bump("0.1.0", Semver::Minor).unwrap(), "0.1.1");
    assert_eq!(bump("0.1.3", Semver::Patch).unwrap(), "0.1.4");
    assert_eq!(bump("1.4.2", Semver::Major).unwrap(), "2.0.0");
    assert_eq!(bump("1.4.2", Semver::Minor).unwrap(), "1.5.0");
    assert_eq!(bump("1.4.2", Semver::Patch).unwrap(), "1.4.3");
    assert!(bump("1.0", Semver::Patch).is_err());
    assert!(bump("1.0.0-beta", Semver::Patch).is_err());
}

#[test]
fn inline_types_are_compared_by_their_members_not_their_generated_names() {
    let with = |extra: Value| {
        let mut d = base();
        let mut inline = object(&["label"], json!({"label": {"type": "string"}}));
        inline["properties"]["extra"] = extra;
        d["components"]["schemas"]["NewItem"]["properties"]["meta"] = inline;
        d
    };
    // The inline type `meta` gains an optional member: one minor change inside it.
    let old = api(with(json!({"type": "integer"})));
    let mut grown = with(json!({"type": "integer"}));
    grown["components"]["schemas"]["NewItem"]["properties"]["meta"]["properties"]["more"] =
        json!({"type": "string"});
    let report = compare(&old, &api(grown));
    let got: Vec<(&str, &str, Wire, Semver)> = report
        .changes
        .iter()
        .map(|c| (c.kind, c.place.as_str(), c.wire, c.rust))
        .collect();
    assert_eq!(
        got,
        [(
            "member-added-optional",
            "type NewItem, member meta",
            Wire::Compatible,
            Semver::Minor
        )]
    );
}

/// The verdicts of the `member-retyped` changes from `base()` to `changed`.
fn retyped(changed: Value) -> Vec<(&'static str, Wire, Semver)> {
    let all = verdicts(changed);
    all.into_iter()
        .filter(|c| c.0 == "member-retyped")
        .collect()
}

#[test]
fn a_retyped_member_keeps_working_in_the_direction_where_its_values_fit() {
    // What clients send may widen: a string member that now also takes a number.
    let widened = json!({"oneOf": [{"type": "string"}, {"type": "integer"}]});
    let mut d = base();
    d["components"]["schemas"]["NewItem"]["properties"]["name"] = widened.clone();
    assert_eq!(
        retyped(d),
        [("member-retyped", Wire::Compatible, Semver::Major)]
    );
    // The same widening in what clients receive breaks them.
    let mut d = base();
    d["components"]["schemas"]["Item"]["properties"]["name"] = widened;
    assert_eq!(
        retyped(d),
        [("member-retyped", Wire::Breaking, Semver::Major)]
    );
    // What clients receive may narrow: an enum where any string was sent before.
    let mut d = base();
    d["components"]["schemas"]["Item"]["properties"]["name"] =
        json!({"type": "string", "enum": ["a", "b"]});
    assert_eq!(
        retyped(d),
        [("member-retyped", Wire::Compatible, Semver::Major)]
    );
}

#[test]
fn a_response_body_replaced_by_another_named_type_is_compared_member_by_member() {
    let with_members = |required: &[&str]| {
        let mut d = base();
        d["components"]["schemas"]["Record"] = object(
            required,
            json!({"id": {"type": "integer"}, "name": {"type": "string"}, "extra": {"type": "boolean"}}),
        );
        d["paths"]["/items"]["post"]["responses"]["200"]["content"]["application/json"]["schema"] =
            json!({"$ref": "#/components/schemas/Record"});
        verdicts(d)
            .into_iter()
            .filter(|c| c.0 == "response-body-retyped")
            .collect::<Vec<_>>()
    };
    // Everything `Item` requires is still there, plus a member.
    assert_eq!(
        with_members(&["id", "name"]),
        [("response-body-retyped", Wire::Compatible, Semver::Major)]
    );
    // `name` may now be missing, which old readers of `Item` refuse.
    assert_eq!(
        with_members(&["id"]),
        [("response-body-retyped", Wire::Breaking, Semver::Major)]
    );
}

#[test]
fn tighter_limits_break_what_clients_send_and_looser_ones_only_strict_readers() {
    let mut d = base();
    d["components"]["schemas"]["NewItem"]["properties"]["name"] =
        json!({"type": "string", "maxLength": 10});
    let report = compare(&api(base()), &api(d));
    assert_eq!(report.changes.len(), 1, "{}", report.summary());
    let change = &report.changes[0];
    assert_eq!(
        (change.kind, change.wire, change.rust),
        (
            "member-constraints-tightened",
            Wire::Breaking,
            Semver::Patch
        )
    );
    assert_eq!(change.detail, "member `name`: `maxLength` none → 10");

    let mut d = base();
    d["components"]["schemas"]["Item"]["properties"]["id"] =
        json!({"type": "integer", "minimum": 1});
    let mut looser = d.clone();
    looser["components"]["schemas"]["Item"]["properties"]["id"] = json!({"type": "integer"});
    assert_eq!(
        compare(&api(d.clone()), &api(looser))
            .changes
            .iter()
            .map(|c| (c.kind, c.wire))
            .collect::<Vec<_>>(),
        [("member-constraints-loosened", Wire::StrictDecoders)]
    );
    // A tighter limit on what the server sends breaks nobody.
    assert_eq!(
        verdicts(d),
        [(
            "member-constraints-tightened",
            Wire::Compatible,
            Semver::Patch
        )]
    );
}

#[test]
fn an_optional_member_that_may_now_be_null_breaks_only_strict_readers() {
    let mut d = base();
    d["components"]["schemas"]["Item"]["properties"]["color"] =
        json!({"allOf": [{"$ref": "#/components/schemas/Color"}], "nullable": true});
    let mut required = d.clone();
    required["components"]["schemas"]["Item"]["properties"]["name"]["nullable"] = json!(true);
    assert!(verdicts(d).iter().all(|c| c.1 != Wire::Breaking),);
    assert!(verdicts(required).contains(&("member-nullable", Wire::Breaking, Semver::Major)));
}
