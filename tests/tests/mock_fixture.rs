//! The generated mock of other APIs than Autessa: the `operations` fixture (bearer
//! authentication, path parameters, an error type of its own, no channels and no examples)
//! and the `refs` fixture (schemas in other files).

use fixture_operations::mock::Mock;
use fixture_operations::runtime::mock::Reply;
use fixture_operations::types::{Item, NewItem};

#[tokio::test]
async fn a_fixture_api_is_mocked_with_its_own_types() {
    let mock = Mock::start().await.unwrap();
    mock.on_create_item().respond_with(|request| {
        let name = request.body.as_ref().map_or("", |item| item.name.as_str());
        Reply::ok(Item::new(1, name)).status(201)
    });
    mock.on_get_item().respond(Reply::error(
        404,
        serde_json::json!({"title": "no such item"}),
    ));
    let client = mock.client().unwrap();

    let created = client.create_item(&NewItem::new("pen")).await.unwrap();
    assert_eq!((created.id, created.name.as_str()), (1, "pen"));
    let missing = client.get_item(9).await.unwrap_err();
    assert_eq!(missing.status().map(|s| s.as_u16()), Some(404));

    // The bearer scheme is checked: the client sent `Bearer <key>`.
    let sent = mock.requests();
    assert_eq!(sent[0].header("authorization"), Some("Bearer mock-api-key"));
    assert_eq!(mock.violations(), Vec::<String>::new());

    // An operation without a reply and without an example answers with a value made from
    // its schema (the smallest the schema allows: here an empty list).
    let items = client.list_items().await.unwrap();
    assert!(items.is_empty());
    assert_eq!(mock.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn schemas_in_other_files_judge_requests_too() {
    use fixture_refs::mock::Mock;
    use fixture_refs::types::Gadget;

    let mock = Mock::start().await.unwrap();
    let client = mock.client().unwrap();
    // The body's schema is in `parts/gadget.json`, which the crate embeds beside the
    // document: the request is judged by it, and the answer made from it.
    let echoed = client.create_gadget(Some(&Gadget::new())).await.unwrap();
    assert_eq!(echoed.body, Gadget::new());
    assert_eq!(mock.violations(), Vec::<String>::new());

    // A body that breaks that schema is reported.
    let raw = reqwest::Client::new()
        .post(format!("{}/gadgets", mock.base_url()))
        .header("content-type", "application/json")
        .body(r#"{"size": "large"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status().as_u16(), 400);
    let violations = mock.violations();
    assert!(violations[0].contains("/size"), "{violations:?}");
}
