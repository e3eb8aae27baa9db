//! Retries, `Retry-After`, timeouts and deadlines, the rate limiter, streaming, uploads,
//! hooks and tracing, against a fault-injecting server on 127.0.0.1.
//!
//! Every test counts the attempts that reached the server and checks the client's waits on a
//! [`ManualClock`]: waits complete at once and are recorded, timers fire only when the test
//! moves the clock. Nothing depends on wall time.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use autessa_runtime::{
    ApiResponse, AttemptInfo, AuthScheme, Error, FromHeaders, Hooks, HttpClient, HttpClientBuilder,
    Jitter, Method, Quota, RateLimit, RateLimiter, RequestBuilder, RequestOptions, RetryAfter,
    RetryPolicy, TimeoutKind, UPLOAD_OPERATION, Upload, UploadError, UploadProgress, header,
};
use reqwest::header::HeaderMap;
use serde::Deserialize;
use support::{FaultServer, KEY, ManualClock, Reply, closed_port};

#[derive(Debug, Deserialize, PartialEq)]
struct Rows {
    rows: Vec<u32>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct ErrorBody {
    errors: Vec<String>,
}

const OK: &str = r#"{"errors":[],"rows":[1,2,3]}"#;

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// Retries with deterministic backoff: 1 s, 2 s, 4 s... up to 8 s.
fn policy() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(4)
        .backoff(secs(1), secs(8))
        .jitter(Jitter::None)
}

/// The budget of requests per minute, as a generated client of the Autessa API sets it.
const QUOTA: Quota = Quota::new(
    "x-ratelimit-remaining-minute",
    Some("x-ratelimit-limit-minute"),
    Duration::from_secs(60),
);

fn builder(base_url: &str, clock: &ManualClock) -> HttpClientBuilder {
    HttpClient::builder(base_url)
        .api_key(KEY)
        .clock(clock.clone())
        .retry(policy())
        .quota(QUOTA)
}

/// Documented response headers, as the generator writes them.
#[derive(Debug, Default, PartialEq)]
struct Budget {
    limit_minute: Option<u64>,
    remaining_day: Option<i64>,
}

impl FromHeaders for Budget {
    fn from_headers(headers: &HeaderMap) -> Self {
        Self {
            limit_minute: header(headers, "x-ratelimit-limit-minute"),
            remaining_day: header(headers, "x-ratelimit-remaining-day"),
        }
    }
}

/// An idempotent read, as the generator emits it for `getData`.
fn read(http: &HttpClient) -> RequestBuilder {
    http.request(Method::POST, "getData", "/clients/autessadb/get-data")
        .query("resourceId", &42)
        .json(&serde_json::json!({"tableId": 42}))
        .idempotent()
}

/// A non-idempotent insert, as the generator emits it for `insertRow`.
fn insert(http: &HttpClient) -> RequestBuilder {
    http.request(Method::POST, "insertRow", "/clients/autessadb/insert")
        .query("resourceId", &42)
        .json(&serde_json::json!({"tableId": 42, "values": {}}))
}

async fn get(
    http: &HttpClient,
    request: RequestBuilder,
) -> Result<ApiResponse<Rows>, Error<ErrorBody>> {
    http.send_json::<Rows, ErrorBody, ()>(request).await
}

/// Asserts that no text reachable from the error shows the key.
fn assert_no_key<E: std::fmt::Debug>(error: &Error<E>) {
    let mut texts = vec![error.to_string(), format!("{error:?}")];
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        texts.push(format!("{cause} {cause:?}"));
        source = cause.source();
    }
    for text in texts {
        assert!(!text.contains(KEY), "key leaked: {text}");
    }
}

#[tokio::test]
async fn retry_after_in_seconds_on_429_is_honoured() {
    let server = FaultServer::start(vec![
        Reply::error(429).header("Retry-After", "3"),
        Reply::json(200, OK),
    ])
    .await;
    let clock = ManualClock::fixed();
    let http = builder(&server.base_url, &clock).build().unwrap();

    let rows = get(&http, read(&http)).await.unwrap();

    assert_eq!(rows.rows, [1, 2, 3]);
    assert_eq!(server.count(), 2);
    assert_eq!(clock.sleeps(), [secs(3)]);
    assert_eq!(clock.elapsed(), secs(3));
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let clock = ManualClock::fixed();
    let date = httpdate::fmt_http_date(clock_wall(&clock) + secs(5));
    let server = FaultServer::start(vec![
        Reply::error(429).header("Retry-After", &date),
        Reply::json(200, OK),
    ])
    .await;
    let http = builder(&server.base_url, &clock).build().unwrap();

    get(&http, read(&http)).await.unwrap();

    assert_eq!(server.count(), 2);
    assert_eq!(clock.sleeps(), [secs(5)]);
}

fn clock_wall(clock: &ManualClock) -> SystemTime {
    autessa_runtime::Clock::system_time(clock)
}

#[tokio::test]
async fn service_unavailable_twice_then_ok_backs_off_exponentially() {
    let server = FaultServer::start(vec![
        Reply::error(503),
        Reply::error(503),
        Reply::json(200, OK),
    ])
    .await;
    let clock = ManualClock::fixed();
    let http = builder(&server.base_url, &clock).build().unwrap();

    let rows = get(&http, read(&http)).await.unwrap();

    assert_eq!(rows.rows, [1, 2, 3]);
    assert_eq!(server.count(), 3);
    assert_eq!(clock.sleeps(), [secs(1), secs(2)]);
    // Every attempt is the same request, key included.
    for request in server.requests() {
        assert_eq!(
            request.target,
            "/api/clients/autessadb/get-data?resourceId=42"
        );
        assert_eq!(request.header("authorization"), Some(KEY));
        assert_eq!(request.body, br#"{"tableId":42}"#);
    }
}

#[tokio::test]
async fn full_jitter_keeps_each_wait_under_its_ceiling() {
    let server = FaultServer::start(vec![
        Reply::error(500),
        Reply::error(502),
        Reply::error(504),
        Reply::json(200, OK),
    ])
    .await;
    let clock = ManualClock::fixed();
    let http = builder(&server.base_url, &clock)
        .retry(policy().jitter(Jitter::Full))
        .build()
        .unwrap();

    get(&http, read(&http)).await.unwrap();

    assert_eq!(server.count(), 4);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 3);
    for (sleep, ceiling) in sleeps.iter().zip([secs(1), secs(2), secs(4)]) {
        assert!(*sleep <= ceiling, "{sleep:?} > {ceiling:?}");
    }
}

#[tokio::test]
async fn attempts_run_out_with_the_last_error() {
    let server = FaultServer::start(vec![Reply::error(503)]).await;
    let clock = ManualClock::fixed();
    let http = builder(&server.base_url, &clock).build().unwrap();

    let error = get(&http, read(&http)).await.unwrap_err();

    assert_eq!(server.count(), 4);
    assert_eq!(clock.sleeps(), [secs(1), secs(2), secs(4)]);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(error.api_body().unwrap().errors, ["try again"]);
}

#[tokio::test]
async fn statuses_outside_the_retry_set_are_not_retried() {
    let server = FaultServer::start(vec![Reply::error(400), Reply::json(200, OK)]).await;
    let clock = ManualClock::fixed();
    let http = builder(&server.base_url, &clock).build().unwrap();
    let error = get(&http, read(&http)).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(server.count(), 1);

    // A configured set replaces the default one.
    let server = FaultServer::start(vec![
        Reply::error(503),
        Reply::error(409),
        Reply::json(200, OK),
    ])
    .await;
    let http = builder(&server.base_url, &clock)
        .retry(policy().retry_statuses([409]))
        .build()
        .unwrap();
    let error = get(&http, read(&http)).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.count(), 1);
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn without_a_policy_requests_are_sent_once() {
    let server = FaultServer::start(vec![Reply::error(503), Reply::json(200, OK)]).await;
    let clock = ManualClock::fixed();
    let http = HttpClient::builder(&server.base_url)
        .api_key(KEY)
        .clock(clock.clone())
        .build()
        .unwrap();
    let error = get(&http, read(&http)).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_reset_in_mid_body_is_retried_only_when_idempotent() {
    let reset = Reply::ResetMidBody {
        status: 200,
        length: 100,
        partial: br#"{"errors":[],"ro"#.to_vec(),
    };

    // Idempotent: the broken attempt is repeated.
    let server = FaultServer::start(vec![reset.clone(), Reply::json(200, OK)]).await;
    let clock = ManualClock::fixed();
    let http = builder(&server.base_url, &clock).build().unwrap();
    let rows = get(&http, read(&http)).await.unwrap();
    assert_eq!(rows.rows, [1, 2, 3]);
    assert_eq!(server.count(), 2);
    assert_eq!(clock.sleeps(), [secs(1)]);

    // Not idempotent: the insert may have happened, so it is not repeated.
    let server = FaultServer::start(vec![reset, Reply::json(200, OK)]).await;
    let clock = ManualClock::fixed();
    let http = builder(&server.base_url, &clock).build().unwrap();
    let error = get(&http, insert(&http)).await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "operation `insertRow`: could not read the response"
    );
    assert_no_key(&error);
    assert_eq!(server.count(), 1);
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn a_non_idempotent_call_is_not_retried_unless_the_caller_opts_in() {
    let script = || vec![Reply::error(503), Reply::json(200, OK)];
    let server = FaultServer::start(script()).await;
    let clock = ManualClock::fixed();
    let http = builder(&server.base_url, &clock).build().unwrap();

    let error = get(&http, insert(&http)).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.count(), 1);
    assert!(clock.sleeps().is_empty());

    // Per call: a clone with the opt-in.
    let server = FaultServer::start(script()).await;
    let http = builder(&server.base_url, &clock).build().unwrap();
    let brave = http.with_options(RequestOptions::new().retry_non_idempotent(true));
    get(&brave, insert(&brave)).await.unwrap();
    assert_eq!(server.count(), 2);
    assert_eq!(clock.sleeps(), [secs(1)]);
    // The original client is unchanged.
    get(&http, insert(&http)).await.unwrap();
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn connection_errors_are_retried_even_for_non_idempotent_calls() {
    let base_url = closed_port().await;
    let clock = ManualClock::fixed();
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let http = builder(&base_url, &clock)
        .retry(policy().max_attempts(3))
        .on_request({
            let attempts = attempts.clone();
            move |info: &AttemptInfo<'_>, _: &mut autessa_runtime::reqwest::Request| {
                attempts.lock().unwrap().push(info.attempt);
            }
        })
        .build()
        .unwrap();

    let error = get(&http, insert(&http)).await.unwrap_err();

    assert!(
        matches!(&error, Error::Transport { source, .. } if source.is_connect()),
        "{error:?}"
    );
    assert_eq!(*attempts.lock().unwrap(), [1, 2, 3]);
    assert_eq!(clock.sleeps(), [secs(1), secs(2)]);
    assert_no_key(&error);
}

#[tokio::test]
async fn a_huge_retry_after_hits_the_cap_and_says_what_the_server_asked() {
    let server = FaultServer::start(vec![
        Reply::error(429).header("Retry-After", "3600"),
        Reply::json(200, OK),
    ])
    .await;
    let clock = ManualClock::fixed();
    let http = builder(&server.base_url, &clock)
        .auth(AuthScheme::Query {
            name: "authorization",
        })
        .build()
        .unwrap();

    let error = get(&http, read(&http)).await.unwrap_err();

    assert_eq!(server.count(), 1);
    assert!(clock.sleeps().is_empty(), "the client must not wait");
    let Error::RetryAfterTooLong(too_long) = &error else {
        panic!("expected RetryAfterTooLong, got {error:?}");
    };
    assert_eq!(too_long.wait, secs(3600));
    assert_eq!(too_long.cap, secs(60));
    assert_eq!(too_long.retry_after, RetryAfter::Delay(secs(3600)));
    assert_eq!(too_long.attempts, 1);
    assert_eq!(
        error.to_string(),
        "operation `getData`: the server asked to wait 3600s before retrying \
         (Retry-After on HTTP 429 Too Many Requests), longer than the 60s cap; \
         gave up after 1 attempt"
    );
    // The response that asked is kept, and the accessors reach into it.
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(error.api_body().unwrap().errors, ["try again"]);
    assert_eq!(error.retry_after(), Some(RetryAfter::Delay(secs(3600))));
    assert_no_key(&error);

    // A date an hour ahead, after one short wait: the cap is per answer.
    let date = httpdate::fmt_http_date(clock_wall(&clock) + secs(3601));
    let server = FaultServer::start(vec![
        Reply::error(503).header("Retry-After", "2"),
        Reply::error(503).header("Retry-After", &date),
    ])
    .await;
    let clock = ManualClock::fixed();
    let http = builder(&server.base_url, &clock)
        .retry(policy().max_retry_after(secs(120)))
        .build()
        .unwrap();
    let error = get(&http, read(&http)).await.unwrap_err();
    assert_eq!(server.count(), 2);
    assert_eq!(clock.sleeps(), [secs(2)]);
    let Error::RetryAfterTooLong(too_long) = &error else {
        panic!("expected RetryAfterTooLong, got {error:?}");
    };
    assert_eq!(
        (too_long.wait, too_long.cap, too_long.attempts),
        (secs(3599), secs(120), 2)
    );
    assert!(
        error.to_string().contains("gave up after 2 attempts"),
        "{error}"
    );
}

#[tokio::test]
async fn the_deadline_stops_retries_that_would_end_past_it() {
    let server = FaultServer::start(vec![Reply::error(503).header("Retry-After", "4")]).await;
    let clock = ManualClock::fixed();
    let http = builder(&server.base_url, &clock)
        .retry(policy().max_attempts(10))
        .deadline(secs(10))
        .build()
        .unwrap();

    let error = get(&http, read(&http)).await.unwrap_err();

    // Attempts at 0 s, 4 s and 8 s; one at 12 s would be past the deadline.
    assert_eq!(server.count(), 3);
    assert_eq!(clock.sleeps(), [secs(4), secs(4)]);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
}

#[tokio::test]
async fn a_server_stalling_after_the_headers_hits_the_deadline() {
    let server = FaultServer::start(vec![
        Reply::StallAfterHeaders {
            status: 200,
            length: 1000,
            partial: b"{\"rows\":[".to_vec(),
        },
        Reply::json(200, OK),
    ])
    .await;
    let clock = ManualClock::fixed();
    let http = builder(&server.base_url, &clock)
        .deadline(secs(10))
        .build()
        .unwrap();

    let call = tokio::spawn({
        let http = http.clone();
        async move { get(&http, read(&http)).await }
    });
    server.stalled().await;
    clock.advance(Duration::from_millis(9_999));
    tokio::task::yield_now().await;
    assert!(!call.is_finished());
    clock.advance(Duration::from_millis(1));
    let error = call.await.unwrap().unwrap_err();

    assert!(
        matches!(error, Error::Timeout { kind: TimeoutKind::Deadline, limit, .. } if limit == secs(10)),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "operation `getData`: the request timed out (the 10s deadline passed)"
    );
    // The deadline is over: no second attempt.
    assert_eq!(server.count(), 1);
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn the_timeout_covers_the_body_and_an_idempotent_call_is_retried_after_it() {
    let server = FaultServer::start(vec![
        Reply::StallAfterHeaders {
            status: 200,
            length: 1000,
            partial: b"{".to_vec(),
        },
        Reply::json(200, OK),
    ])
    .await;
    let clock = ManualClock::fixed();
    let http = builder(&server.base_url, &clock)
        .timeout(secs(5))
        .build()
        .unwrap();

    let call = tokio::spawn({
        let http = http.clone();
        async move { get(&http, read(&http)).await }
    });
    server.stalled().await;
    clock.advance(secs(5));
    let rows = call.await.unwrap().unwrap();

    assert_eq!(rows.rows, [1, 2, 3]);
    assert_eq!(server.count(), 2);
    assert_eq!(clock.sleeps(), [secs(1)]);
    assert_eq!(clock.elapsed(), secs(6));
}

#[tokio::test]
async fn a_streamed_body_stays_under_the_timeout() {
    let server = FaultServer::start(vec![Reply::StallAfterHeaders {
        status: 200,
        length: 1000,
        partial: b"first".to_vec(),
    }])
    .await;
    let clock = ManualClock::fixed();
    let http = builder(&server.base_url, &clock)
        .timeout(secs(30))
        .build()
        .unwrap();

    // The head arrives: the call returns with the body still to read.
    let mut response = http.send_streaming::<ErrorBody>(read(&http)).await.unwrap();
    assert_eq!(response.status.as_u16(), 200);
    let first = response.body.next_chunk().await.unwrap().unwrap();
    assert_eq!(first.as_ref(), b"first");

    // The rest never comes; the timer fires exactly at 30 s.
    let reader = tokio::spawn(async move { response.body.next_chunk().await });
    tokio::task::yield_now().await;
    clock.advance(Duration::from_millis(29_999));
    tokio::task::yield_now().await;
    assert!(!reader.is_finished());
    clock.advance(Duration::from_millis(1));
    let error = reader.await.unwrap().unwrap().unwrap_err();
    assert!(
        matches!(error, Error::Timeout { kind: TimeoutKind::Attempt, limit, .. } if limit == secs(30)),
        "{error:?}"
    );
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn streaming_returns_chunks_and_errors_like_send_json() {
    let big = format!(
        r#"{{"errors":[],"rows":[{}]}}"#,
        vec!["7"; 50_000].join(",")
    );
    let server = FaultServer::start(vec![
        Reply::error(503),
        Reply::json(200, &big).header("X-RateLimit-Remaining-Minute", "9"),
        Reply::error(404),
    ])
    .await;
    let clock = ManualClock::fixed();
    let http = builder(&server.base_url, &clock).build().unwrap();

    let response = http.send_streaming::<ErrorBody>(read(&http)).await.unwrap();
    assert_eq!(response.rate_limit.remaining, Some(9));
    let body = response.body.collect().await.unwrap();
    assert_eq!(body.as_ref(), big.as_bytes());
    assert_eq!(server.count(), 2);
    assert_eq!(clock.sleeps(), [secs(1)]);

    let error = http
        .send_streaming::<ErrorBody>(read(&http))
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(error.api_body().unwrap().errors, ["try again"]);
}

#[tokio::test]
async fn missing_or_malformed_rate_limit_headers_give_none() {
    let server = FaultServer::start(vec![
        Reply::json(200, OK),
        Reply::json(200, OK)
            .header("X-RateLimit-Limit-Minute", "sixty")
            .header("X-RateLimit-Remaining-Minute", "-1")
            .header("X-RateLimit-Limit-Day", "99999999999999999999999999")
            .header("X-RateLimit-Remaining-Day", ""),
        Reply::error(429)
            .header("X-RateLimit-Limit-Minute", "1.5")
            .header("X-RateLimit-Remaining-Minute", "0x10")
            .header("X-RateLimit-Limit-Day", "1000")
            .header("Retry-After", "soon"),
    ])
    .await;
    let clock = ManualClock::fixed();
    // The limiter must not be confused by them either.
    let http = builder(&server.base_url, &clock)
        .retry(RetryPolicy::disabled())
        .rate_limiter(RateLimiter::new())
        .build()
        .unwrap();

    let missing: ApiResponse<Rows, Budget> = http
        .send_json::<_, ErrorBody, _>(read(&http))
        .await
        .unwrap();
    assert_eq!(missing.typed_headers(), Budget::default());
    let malformed: ApiResponse<Rows, Budget> = http
        .send_json::<_, ErrorBody, _>(read(&http))
        .await
        .unwrap();
    assert_eq!(malformed.typed_headers(), Budget::default());
    let error = get(&http, read(&http)).await.unwrap_err();
    assert_eq!(error.rate_limit(), Some(RateLimit::default()));
    assert_eq!(error.retry_after(), None);
    assert_eq!(server.count(), 3);
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn the_rate_limiter_waits_while_the_budget_is_used_up() {
    let exhausted = Reply::json(200, OK)
        .header("X-RateLimit-Limit-Minute", "2")
        .header("X-RateLimit-Remaining-Minute", "0");
    let server = FaultServer::start(vec![
        exhausted,
        Reply::json(200, OK).header("X-RateLimit-Remaining-Minute", "1"),
        Reply::json(200, OK),
    ])
    .await;
    let clock = ManualClock::fixed();
    let http = builder(&server.base_url, &clock)
        .rate_limiter(RateLimiter::new())
        .build()
        .unwrap();

    let first: ApiResponse<Rows, Budget> = http
        .send_json::<_, ErrorBody, _>(read(&http))
        .await
        .unwrap();
    assert_eq!(
        first.typed_headers(),
        Budget {
            limit_minute: Some(2),
            remaining_day: None,
        }
    );
    assert!(clock.sleeps().is_empty());
    // No budget left: the next call waits for the window before it is sent.
    get(&http, read(&http)).await.unwrap();
    assert_eq!(clock.sleeps(), [secs(60)]);
    // Budget again: no wait.
    get(&http, read(&http)).await.unwrap();
    assert_eq!(clock.sleeps(), [secs(60)]);
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn the_rate_limiter_fails_fast_when_the_wait_is_too_long() {
    let server = FaultServer::start(vec![
        Reply::error(429).header("Retry-After", "600"),
        Reply::json(200, OK),
    ])
    .await;
    let clock = ManualClock::fixed();
    let http = builder(&server.base_url, &clock)
        .retry(RetryPolicy::disabled())
        .rate_limiter(RateLimiter::new())
        .build()
        .unwrap();

    let error = get(&http, read(&http)).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    // The server said 600 s; the cap is 60 s: the next call is not sent at all.
    let error = get(&http, insert(&http)).await.unwrap_err();
    let Error::Throttled { wait, allowed, .. } = &error else {
        panic!("expected Throttled, got {error:?}");
    };
    assert_eq!((*wait, *allowed), (secs(600), secs(60)));
    assert!(error.to_string().contains("600s"), "{error}");
    assert_eq!(server.count(), 1);
    // Once the time has passed, calls go out again.
    clock.advance(secs(600));
    get(&http, read(&http)).await.unwrap();
    assert_eq!(server.count(), 2);
}

/// Records every hook call as text.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Hooks for Log {
    fn on_request(&self, info: &AttemptInfo<'_>, request: &mut autessa_runtime::reqwest::Request) {
        request
            .headers_mut()
            .insert("x-attempt", info.attempt.to_string().parse().unwrap());
        self.0.lock().unwrap().push(format!(
            "request {} #{} {:?} auth={}",
            info.operation, info.attempt, info.resource_id, info.authenticated
        ));
    }

    fn on_response(&self, info: &AttemptInfo<'_>, head: &autessa_runtime::ResponseHead<'_>) {
        self.0.lock().unwrap().push(format!(
            "response #{} {}",
            info.attempt,
            head.status.as_u16()
        ));
    }

    fn on_error(&self, info: &AttemptInfo<'_>, error: &(dyn std::error::Error + 'static)) {
        self.0
            .lock()
            .unwrap()
            .push(format!("error #{} {error}", info.attempt));
    }
}

#[tokio::test]
async fn hooks_see_and_can_change_every_attempt() {
    let server = FaultServer::start(vec![
        Reply::ResetMidBody {
            status: 200,
            length: 10,
            partial: b"{".to_vec(),
        },
        Reply::error(503),
        Reply::json(200, OK),
    ])
    .await;
    let clock = ManualClock::fixed();
    let log = Log::default();
    let http = builder(&server.base_url, &clock)
        .hooks(log.clone())
        .build()
        .unwrap();

    get(&http, read(&http)).await.unwrap();

    let requests = server.requests();
    let attempts: Vec<_> = requests
        .iter()
        .map(|r| r.header("x-attempt").unwrap())
        .collect();
    assert_eq!(attempts, ["1", "2", "3"]);
    let lines = log.0.lock().unwrap().clone();
    assert_eq!(lines.len(), 7, "{lines:#?}");
    assert_eq!(lines[0], r#"request getData #1 Some("42") auth=true"#);
    assert_eq!(lines[1], "response #1 200");
    assert!(lines[2].starts_with("error #1 "), "{lines:#?}");
    assert_eq!(
        lines[3..],
        [
            r#"request getData #2 Some("42") auth=true"#.to_owned(),
            "response #2 503".to_owned(),
            r#"request getData #3 Some("42") auth=true"#.to_owned(),
            "response #3 200".to_owned(),
        ]
    );
}

#[tokio::test]
async fn tracing_reports_each_request_and_attempt_without_the_key() {
    let server = FaultServer::start(vec![Reply::error(503), Reply::json(200, OK)]).await;
    let clock = ManualClock::fixed();
    // Query authentication puts the key in the URL: the URL must never be traced.
    let http = builder(&server.base_url, &clock)
        .auth(AuthScheme::Query {
            name: "authorization",
        })
        .build()
        .unwrap();
    let (recorder, guard) = support::record_tracing();
    get(&http, read(&http)).await.unwrap();
    drop(guard);

    let lines = recorder.lines();
    let text = lines.join("\n");
    assert!(!text.contains(KEY), "{text}");
    assert!(!text.contains("authorization="), "{text}");
    assert!(
        lines[0].starts_with(
            "span#1 autessa.request operation=getData method=POST \
             path=/clients/autessadb/get-data resource_id=42"
        ),
        "{text}"
    );
    let attempt_spans: Vec<_> = lines
        .iter()
        .filter(|line| line.contains("autessa.attempt"))
        .collect();
    assert_eq!(attempt_spans.len(), 2, "{text}");
    assert!(
        attempt_spans[0].ends_with("autessa.attempt attempt=1"),
        "{text}"
    );
    assert!(
        attempt_spans[1].ends_with("autessa.attempt attempt=2"),
        "{text}"
    );
    assert!(
        text.contains("record#2 status=503\nrecord#2 latency_ms=0"),
        "{text}"
    );
    assert!(
        text.contains("retrying") && text.contains("delay_ms=1000"),
        "{text}"
    );
    assert!(
        text.contains("record#1 attempts=2\nrecord#1 status=200\nrecord#1 latency_ms=1000"),
        "{text}"
    );
}

#[tokio::test]
async fn an_upload_whose_put_fails_once_is_retried_without_the_key() {
    let server = FaultServer::start(vec![
        Reply::Full {
            status: 503,
            headers: vec![],
            body: b"<Error>SlowDown</Error>".to_vec(),
        },
        Reply::Full {
            status: 200,
            headers: vec![("ETag".into(), "\"abc\"".into())],
            body: Vec::new(),
        },
    ])
    .await;
    let clock = ManualClock::fixed();
    let log = Log::default();
    let http = builder("http://127.0.0.1:9/unused", &clock)
        .hooks(log.clone())
        .build()
        .unwrap();
    let data: Vec<u8> = (0..200_000_u32).map(|i| (i % 251) as u8).collect();
    let progress = Arc::new(Mutex::new(Vec::new()));
    let upload = Upload::bytes(data.clone())
        .content_type("text/csv")
        .on_progress({
            let progress = progress.clone();
            move |p: UploadProgress| progress.lock().unwrap().push(p)
        });
    let url = format!(
        "{}/bucket/tmp/rows.csv?X-Signature=sig-secret",
        server.base_url
    );

    let response = http.put_upload(&url, upload).await.unwrap();

    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(response.headers["etag"], "\"abc\"");
    assert_eq!(server.count(), 2);
    assert_eq!(clock.sleeps(), [secs(1)]);
    for request in server.requests() {
        assert_eq!(request.method, "PUT");
        assert_eq!(
            request.target,
            "/api/bucket/tmp/rows.csv?X-Signature=sig-secret"
        );
        assert_eq!(request.header("authorization"), None);
        assert!(!request.head.contains(KEY), "{}", request.head);
        assert_eq!(request.header("content-type"), Some("text/csv"));
        assert_eq!(request.header("content-length"), Some("200000"));
        assert_eq!(request.body, data);
    }
    let progress = progress.lock().unwrap().clone();
    let total = Some(200_000);
    for attempt in [1, 2] {
        let reports: Vec<_> = progress.iter().filter(|p| p.attempt == attempt).collect();
        assert_eq!(reports.first().map(|p| (p.sent, p.total)), Some((0, total)));
        assert_eq!(
            reports.last().map(|p| (p.sent, p.total)),
            Some((200_000, total))
        );
        assert!(reports.windows(2).all(|w| w[0].sent < w[1].sent));
        assert_eq!(reports.len(), 1 + 4, "0, then 64 KiB chunks: {reports:?}");
    }
    let lines = log.0.lock().unwrap().clone();
    assert_eq!(lines[0], "request upload #1 None auth=false");
}

#[tokio::test]
async fn an_upload_put_error_keeps_the_raw_body_and_no_url() {
    let server = FaultServer::start(vec![Reply::Full {
        status: 403,
        headers: vec![],
        body: b"<Error>SignatureDoesNotMatch</Error>".to_vec(),
    }])
    .await;
    let clock = ManualClock::fixed();
    let http = builder("http://127.0.0.1:9/", &clock).build().unwrap();
    let url = format!("{}/bucket/x?X-Signature=sig-secret", server.base_url);

    let error = http
        .put_upload(&url, Upload::bytes("a,b\n"))
        .await
        .unwrap_err();

    assert_eq!(error.operation(), UPLOAD_OPERATION);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(
        error.api_body().map(|b| b.as_ref()),
        Some(&b"<Error>SignatureDoesNotMatch</Error>"[..])
    );
    assert!(!format!("{error} {error:?}").contains("sig-secret"));
    assert_eq!(server.count(), 1);

    let error = http
        .put_upload("ftp://x/y", Upload::bytes("a"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Encode { .. }), "{error:?}");
}

#[tokio::test]
async fn uploads_from_files_and_stream_factories_are_retried_one_shot_streams_are_not() {
    let script = || vec![Reply::error(500), Reply::json(200, "{}")];
    let clock = ManualClock::fixed();
    let http = builder("http://127.0.0.1:9/", &clock).build().unwrap();

    let path = std::env::temp_dir().join(format!("autessa-resilience-{}.csv", std::process::id()));
    std::fs::write(&path, "id,name\n1,a\n").unwrap();
    let server = FaultServer::start(script()).await;
    http.put_upload(&format!("{}/f", server.base_url), Upload::file(&path))
        .await
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(server.count(), 2);
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.body == b"id,name\n1,a\n")
    );

    let server = FaultServer::start(script()).await;
    let factory = Upload::stream(
        || futures_iter(vec![b"id,".to_vec(), b"name\n".to_vec()]),
        Some(8),
    );
    http.put_upload(&format!("{}/s", server.base_url), factory)
        .await
        .unwrap();
    assert_eq!(server.count(), 2);
    assert!(server.requests().iter().all(|r| r.body == b"id,name\n"));

    let server = FaultServer::start(script()).await;
    let once = Upload::stream_once(futures_iter(vec![b"id\n".to_vec()]), Some(3));
    let error = http
        .put_upload(&format!("{}/o", server.base_url), once)
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(server.count(), 1);

    // A file that cannot be read is an upload error, and nothing is sent.
    let error = http
        .put_upload(
            &format!("{}/m", server.base_url),
            Upload::file("/nonexistent/rows.csv"),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Upload { .. }), "{error:?}");
    assert_eq!(server.count(), 1);
}

/// A stream of the given chunks.
fn futures_iter(
    chunks: Vec<Vec<u8>>,
) -> impl futures_core::Stream<Item = std::io::Result<autessa_runtime::Bytes>> + Send {
    struct Chunks(std::vec::IntoIter<Vec<u8>>);
    impl futures_core::Stream for Chunks {
        type Item = std::io::Result<autessa_runtime::Bytes>;
        fn poll_next(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.get_mut().0.next().map(|c| Ok(c.into())))
        }
    }
    Chunks(chunks.into_iter())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UploadLink {
    upload_url: String,
    temp_path: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Indexed {
    records_impacted: u64,
}

#[tokio::test]
async fn upload_file_runs_link_put_and_index_in_one_call() {
    let storage = FaultServer::start(vec![Reply::error(503), Reply::json(200, "")]).await;
    let link = format!(
        r#"{{"errors":[],"uploadUrl":"{}/put?sig=1","tempPath":"tmp/42/rows.csv"}}"#,
        storage.base_url
    );
    let api = FaultServer::start(vec![
        Reply::json(200, &link),
        Reply::json(
            200,
            r#"{"errors":[],"recordsImpacted":2,"computationStatus":"COMPLETE"}"#,
        ),
    ])
    .await;
    let clock = ManualClock::fixed();
    let http = &builder(&api.base_url, &clock).build().unwrap();

    // What a generated `Client::upload_file` does with `generateUploadLink` and `indexRecord`.
    let indexed = http
        .upload_file(
            Upload::bytes("id,name\n1,a\n2,b\n").content_type("text/csv"),
            || async {
                let request = http
                    .request(Method::POST, "generateUploadLink", "/clients/autessadb/generate-upload-link")
                    .query("resourceId", &42)
                    .json(&serde_json::json!({"tableId": 42, "fileName": "rows.csv", "fileType": "CSV"}));
                let link = http.send_json::<UploadLink, ErrorBody, ()>(request).await?.into_body();
                Ok((link.upload_url, link.temp_path))
            },
            |temp_path| async move {
                let request = http
                    .request(Method::POST, "indexRecord", "/clients/autessadb/index-record")
                    .query("resourceId", &42)
                    .json(&serde_json::json!({"tableId": 42, "tempPath": temp_path}));
                http.send_json::<Indexed, ErrorBody, ()>(request).await
            },
        )
        .await
        .unwrap();

    assert_eq!(indexed.records_impacted, 2);
    let calls = api.requests();
    assert_eq!(calls.len(), 2);
    assert!(calls.iter().all(|r| r.header("authorization") == Some(KEY)));
    assert_eq!(
        calls[1].body,
        br#"{"tableId":42,"tempPath":"tmp/42/rows.csv"}"#
    );
    let puts = storage.requests();
    assert_eq!(puts.len(), 2);
    assert!(
        puts.iter()
            .all(|r| r.header("authorization").is_none() && r.body == b"id,name\n1,a\n2,b\n")
    );

    // A failing step is named.
    let error = http
        .upload_file(
            Upload::bytes("x"),
            || async { Err::<(String, ()), _>(get(http, read(http)).await.unwrap_err()) },
            |()| async { Ok(()) },
        )
        .await;
    assert!(matches!(error, Err(UploadError::Link(_))), "{error:?}");
}

#[cfg(feature = "blocking")]
mod blocking {
    use super::*;
    use std::io::Read;

    /// The blocking client, called from a plain thread, against a server on its own runtime.
    #[test]
    fn the_blocking_client_retries_and_streams_like_the_async_one() {
        let server_runtime = tokio::runtime::Runtime::new().unwrap();
        let server = server_runtime.block_on(FaultServer::start(vec![
            Reply::error(503),
            Reply::json(200, OK),
            Reply::error(429).header("Retry-After", "2"),
            Reply::json(200, OK),
            Reply::error(500),
        ]));
        let clock = ManualClock::fixed();
        let http = autessa_runtime::blocking::HttpClient::builder(&server.base_url)
            .api_key(KEY)
            .clock(clock.clone())
            .retry(policy())
            .build_blocking()
            .unwrap();
        let request = |http: &autessa_runtime::blocking::HttpClient| {
            http.request(Method::POST, "getData", "/clients/autessadb/get-data")
                .query("resourceId", &42)
                .json(&serde_json::json!({"tableId": 42}))
                .idempotent()
        };

        let rows = http
            .send_json::<Rows, ErrorBody, ()>(request(&http))
            .unwrap();
        assert_eq!(rows.rows, [1, 2, 3]);
        assert_eq!(server.count(), 2);

        let response = http.send_streaming::<ErrorBody>(request(&http)).unwrap();
        let mut text = String::new();
        let mut body = response.body;
        body.read_to_string(&mut text).unwrap();
        assert_eq!(text, OK);
        assert_eq!(server.count(), 4);
        assert_eq!(clock.sleeps(), [secs(1), secs(2)]);

        let once = http.with_options(RequestOptions::new().no_retries());
        let error = once
            .send_json::<Rows, ErrorBody, ()>(request(&once))
            .unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
        assert_eq!(server.count(), 5);
        drop(server);
    }
}
