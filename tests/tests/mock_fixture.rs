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

/// Form and multipart bodies are judged against their schema as their encodings wrote them,
/// and handlers see them typed: a form as the operation's request type, a multipart body as
/// its parts.
#[tokio::test]
async fn form_and_multipart_bodies_are_judged_and_typed() {
    use fixture_forms::FilePart;
    use fixture_forms::mock::Mock;
    use fixture_forms::types as forms;

    let mock = Mock::start().await.unwrap();
    mock.on_search().respond_with(|request| {
        Reply::ok(vec![
            request
                .body
                .as_ref()
                .map_or("?", |b| b.q.as_str())
                .to_owned(),
        ])
    });
    mock.on_upload_file()
        .respond(Reply::ok(forms::Stored::new("f1")));
    let client = mock.client().unwrap();

    // Comma-separated, pipe-delimited, deepObject and exploded members read back as sent.
    let search = forms::SearchRequest::new("a b&c")
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
        );
    let found = client.search(&search).await.unwrap();
    assert_eq!(found.body, ["a b&c"]);
    let received = mock.on_search().requests();
    assert_eq!(received[0].body.as_ref(), Some(&search));

    // A multipart body arrives as its parts, files with their names.
    let upload = forms::Upload::new(
        FilePart::bytes(&b"line 1\n"[..]).file_name("notes.txt"),
        forms::UploadPurpose::FineTune,
    )
    .with_count(3)
    .with_ids(vec![1, 2]);
    let stored = client.upload_file(upload).await.unwrap();
    assert_eq!(stored.body.id, "f1");
    let received = mock.on_upload_file().requests();
    let parts = received[0].body.as_ref().expect("the parts");
    let file = parts.get("file").expect("the file part");
    assert_eq!(file.file_name.as_deref(), Some("notes.txt"));
    assert_eq!(&file.data[..], b"line 1\n");
    assert_eq!(parts.text("count").as_deref(), Some("3"));
    assert_eq!(mock.violations(), Vec::<String>::new());

    // A form that breaks its schema is refused with what is wrong.
    let refused = fixture_forms::runtime::reqwest::Client::new()
        .post(format!("{}/search", mock.base_url()))
        .header("x-api-key", Mock::API_KEY)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("ids=1,x&page%5Bsize%5D=2")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 400);
    let violations = mock.violations();
    assert!(
        violations
            .iter()
            .any(|v| v.contains("\"q\" is a required property")),
        "{violations:?}"
    );
    assert!(
        violations.iter().any(|v| v.contains("/ids/1")),
        "{violations:?}"
    );
}
