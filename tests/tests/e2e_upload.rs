//! The one-call file upload that `x-upload` on `generateUploadLink` gives the generated
//! client: the link from the mock API, a `PUT` to a separate local "storage" server (which
//! fails once), then `indexRecord` with the returned `tempPath`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use autessa::types::{FileType, GenerateUploadLinkRequest, IndexRecordRequest};
use autessa::{Client, RetryPolicy, Upload, UploadError};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

mod autessa_mock;

const KEY: &str = "sk-upload-3e8a";

/// A storage server: answers each PUT with the next status of `statuses` (then 200) and
/// keeps the raw requests.
async fn storage(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/bucket/upload-123?signature=abc",
        listener.local_addr().unwrap()
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    tokio::spawn(async move {
        let mut statuses = statuses.into_iter();
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut raw = Vec::new();
            let mut buf = [0_u8; 4096];
            // Read the head, then as many body bytes as Content-Length says.
            loop {
                let n = socket.read(&mut buf).await.unwrap_or(0);
                raw.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&raw).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if raw.len() >= end + 4 + length || n == 0 {
                        break;
                    }
                }
                if n == 0 {
                    break;
                }
            }
            record
                .lock()
                .unwrap()
                .push(String::from_utf8_lossy(&raw).to_string());
            let status = statuses.next().unwrap_or(200);
            let response =
                format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = socket.write_all(response.as_bytes()).await;
        }
    });
    (url, seen)
}

#[tokio::test]
async fn upload_file_links_puts_without_the_key_and_indexes_in_one_call() {
    let mock = autessa_mock::start(KEY).await;
    let server = mock.engine().rest();
    let (put_url, puts) = storage(vec![503]).await;
    server.respond_once_with_body(
        200,
        json!({"errors": [], "uploadUrl": put_url, "tempPath": "tmp/rows.csv"}),
    );
    let retry = RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(1));
    let client = Client::from_http(
        Client::builder(&server.base_url())
            .api_key(KEY)
            .retry(retry)
            .build()
            .unwrap(),
    );

    let progress = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&progress);
    let data = b"id,name\n1,Ada\n2,Grace\n".to_vec();
    let upload = Upload::bytes(data.clone())
        .on_progress(move |p| seen.lock().unwrap().push((p.attempt, p.sent)));
    let link = GenerateUploadLinkRequest::new(9, "rows.csv", FileType::Csv);
    let indexed = client
        .upload_file(&link, upload, |temp_path| {
            IndexRecordRequest::new(9, temp_path)
        })
        .await
        .unwrap();
    assert!(indexed.errors.is_empty());

    let puts = puts.lock().unwrap().clone();
    assert_eq!(
        puts.len(),
        2,
        "the PUT that failed with 503 is retried once"
    );
    for put in &puts {
        assert!(
            put.starts_with("PUT /bucket/upload-123?signature=abc "),
            "{put}"
        );
        assert!(
            !put.to_ascii_lowercase().contains("authorization") && !put.contains(KEY),
            "{put}"
        );
        assert!(put.ends_with("id,name\n1,Ada\n2,Grace\n"), "{put}");
    }
    let attempts: Vec<u32> = progress.lock().unwrap().iter().map(|(a, _)| *a).collect();
    assert!(
        attempts.contains(&1) && attempts.contains(&2),
        "progress per attempt: {attempts:?}"
    );

    let requests = server.requests();
    let ops: Vec<Option<&str>> = requests.iter().map(|r| r.operation_id.as_deref()).collect();
    assert_eq!(ops, [Some("generateUploadLink"), Some("indexRecord")]);
    assert_eq!(requests[1].json().unwrap()["tempPath"], "tmp/rows.csv");
    assert_eq!(server.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_failed_link_is_reported_as_the_link_step() {
    let mock = autessa_mock::start(KEY).await;
    let server = mock.engine().rest();
    server.respond_with(401);
    let client = Client::new(&server.base_url(), KEY).unwrap();
    let link = GenerateUploadLinkRequest::new(9, "rows.csv", FileType::Csv);
    let error = client
        .upload_file(&link, Upload::bytes(&b"x"[..]), |temp_path| {
            IndexRecordRequest::new(9, temp_path)
        })
        .await
        .unwrap_err();
    assert!(matches!(error, UploadError::Link(_)), "{error:?}");
    assert_eq!(
        server.requests().len(),
        1,
        "nothing is uploaded without a link"
    );
}

#[test]
fn the_blocking_client_uploads_in_one_call_too() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mock = runtime.block_on(autessa_mock::start(KEY));
    let server = mock.engine().rest();
    let (put_url, puts) = runtime.block_on(storage(Vec::new()));
    server.respond_once_with_body(
        200,
        json!({"errors": [], "uploadUrl": put_url, "tempPath": "tmp/b.json"}),
    );
    let client = autessa::blocking::Client::new(&server.base_url(), KEY).unwrap();
    let link = GenerateUploadLinkRequest::new(9, "b.json", FileType::Json);
    client
        .upload_file(&link, Upload::bytes(&b"[]"[..]), |temp_path| {
            IndexRecordRequest::new(9, temp_path)
        })
        .unwrap();
    let puts = puts.lock().unwrap().clone();
    assert_eq!(puts.len(), 1);
    assert!(
        !puts[0].contains(KEY) && puts[0].ends_with("[]"),
        "{}",
        puts[0]
    );
    let requests = server.requests();
    assert_eq!(requests[1].json().unwrap()["tempPath"], "tmp/b.json");
    assert_eq!(server.violations(), Vec::<String>::new());
}
