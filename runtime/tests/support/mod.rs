//! Test support: a fault-injecting HTTP/1.1 server on 127.0.0.1, a manual clock and a
//! tracing subscriber that records everything it is given.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant, SystemTime};

use autessa_runtime::{Clock, Sleep};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

pub const KEY: &str = "sk-live-resilience-0123456789";

/// What the server does with one connection, after reading its request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A whole response.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// A head announcing `length` body bytes, `partial` of them, then a TCP reset.
    ResetMidBody {
        status: u16,
        length: usize,
        partial: Vec<u8>,
    },
    /// A head announcing `length` body bytes, `partial` of them, then nothing: the
    /// connection is held open.
    StallAfterHeaders {
        status: u16,
        length: usize,
        partial: Vec<u8>,
    },
}

impl Reply {
    /// A JSON response.
    pub fn json(status: u16, body: &str) -> Self {
        Self::Full {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// The standard error body with `status`.
    pub fn error(status: u16) -> Self {
        Self::json(status, r#"{"errors":["try again"]}"#)
    }

    /// Adds a header to a [`Reply::Full`].
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Self::Full { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }
}

/// A request as the server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// The path and query.
    pub target: String,
    /// The whole head, as text.
    pub head: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// A server that answers each connection with the next scripted [`Reply`] (the last one
/// repeats) and always closes the connection, so that every attempt is a new connection.
pub struct FaultServer {
    pub base_url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    stalled: Arc<Notify>,
    task: JoinHandle<()>,
}

impl FaultServer {
    pub async fn start(replies: Vec<Reply>) -> Self {
        assert!(!replies.is_empty());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}/api", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stalled = Arc::new(Notify::new());
        let script = Arc::new(Mutex::new(VecDeque::from(replies)));
        let task = tokio::spawn({
            let requests = requests.clone();
            let stalled = stalled.clone();
            async move {
                loop {
                    let (socket, _) = listener.accept().await.unwrap();
                    let reply = {
                        let mut script = script.lock().unwrap();
                        if script.len() > 1 {
                            script.pop_front().unwrap()
                        } else {
                            script[0].clone()
                        }
                    };
                    tokio::spawn(serve(socket, reply, requests.clone(), stalled.clone()));
                }
            }
        });
        Self {
            base_url,
            requests,
            stalled,
            task,
        }
    }

    /// The requests received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// How many requests arrived: the number of attempts that reached the server.
    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    /// Waits until a [`Reply::StallAfterHeaders`] has been sent.
    pub async fn stalled(&self) {
        self.stalled.notified().await;
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    mut socket: TcpStream,
    reply: Reply,
    requests: Arc<Mutex<Vec<Recorded>>>,
    stalled: Arc<Notify>,
) {
    let Some(request) = read_request(&mut socket).await else {
        return;
    };
    requests.lock().unwrap().push(request);
    match reply {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut head = head(status, body.len());
            for (name, value) in headers {
                write!(head, "{name}: {value}\r\n").unwrap();
            }
            head.push_str("\r\n");
            socket.write_all(head.as_bytes()).await.unwrap();
            socket.write_all(&body).await.unwrap();
            let _ = socket.shutdown().await;
        }
        Reply::ResetMidBody {
            status,
            length,
            partial,
        } => {
            let head = head(status, length) + "\r\n";
            socket.write_all(head.as_bytes()).await.unwrap();
            socket.write_all(&partial).await.unwrap();
            socket.flush().await.unwrap();
            socket.set_zero_linger().unwrap();
            drop(socket);
        }
        Reply::StallAfterHeaders {
            status,
            length,
            partial,
        } => {
            let head = head(status, length) + "\r\n";
            socket.write_all(head.as_bytes()).await.unwrap();
            socket.write_all(&partial).await.unwrap();
            socket.flush().await.unwrap();
            stalled.notify_one();
            std::future::pending::<()>().await;
        }
    }
}

fn head(status: u16, length: usize) -> String {
    format!("HTTP/1.1 {status} Scripted\r\nContent-Length: {length}\r\nConnection: close\r\n")
}

/// Reads one request (head and a `Content-Length` body); `None` if the client went away.
async fn read_request(socket: &mut TcpStream) -> Option<Recorded> {
    let mut raw = Vec::new();
    let mut chunk = [0_u8; 8192];
    loop {
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).into_owned();
            let mut lines = head.split("\r\n");
            let mut request_line = lines.next().unwrap().split(' ');
            let method = request_line.next().unwrap().to_owned();
            let target = request_line.next().unwrap().to_owned();
            let headers: Vec<(String, String)> = lines
                .filter_map(|line| line.split_once(':'))
                .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_owned()))
                .collect();
            let length = headers
                .iter()
                .find(|(name, _)| name == "content-length")
                .map_or(0, |(_, value)| value.parse::<usize>().unwrap());
            if raw.len() >= end + 4 + length {
                return Some(Recorded {
                    method,
                    target,
                    head,
                    headers,
                    body: raw[end + 4..end + 4 + length].to_vec(),
                });
            }
        }
        let read = socket.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        raw.extend_from_slice(&chunk[..read]);
    }
}

/// A base URL where nothing listens.
pub async fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api", listener.local_addr().unwrap());
    drop(listener);
    url
}

/// A clock whose time moves only when the client sleeps (a backoff, a `Retry-After`, the rate
/// limiter: the wait completes at once and is recorded) or when the test calls
/// [`advance`](Self::advance). Attempt timers fire only when its time reaches them.
#[derive(Clone)]
pub struct ManualClock(Arc<Mutex<ClockState>>);

struct ClockState {
    start: Instant,
    offset: Duration,
    wall: SystemTime,
    sleeps: Vec<Duration>,
    wakers: Vec<Waker>,
}

impl ManualClock {
    /// A clock whose wall time starts at `wall`.
    pub fn new(wall: SystemTime) -> Self {
        Self(Arc::new(Mutex::new(ClockState {
            start: Instant::now(),
            offset: Duration::ZERO,
            wall,
            sleeps: Vec::new(),
            wakers: Vec::new(),
        })))
    }

    /// A clock at 2023-11-14 22:13:20 UTC.
    pub fn fixed() -> Self {
        Self::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000))
    }

    /// How far the clock has moved.
    pub fn elapsed(&self) -> Duration {
        self.0.lock().unwrap().offset
    }

    /// Every wait the client made, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.0.lock().unwrap().sleeps.clone()
    }

    /// Moves time forward, firing the timers that are due.
    pub fn advance(&self, by: Duration) {
        let wakers = {
            let mut state = self.0.lock().unwrap();
            state.offset += by;
            std::mem::take(&mut state.wakers)
        };
        for waker in wakers {
            waker.wake();
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        let state = self.0.lock().unwrap();
        state.start + state.offset
    }

    fn system_time(&self) -> SystemTime {
        let state = self.0.lock().unwrap();
        state.wall + state.offset
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        self.0.lock().unwrap().sleeps.push(duration);
        self.advance(duration);
        Box::pin(std::future::ready(()))
    }

    fn timer(&self, deadline: Instant) -> Sleep {
        Box::pin(ManualTimer {
            clock: self.clone(),
            deadline,
        })
    }
}

struct ManualTimer {
    clock: ManualClock,
    deadline: Instant,
}

impl Future for ManualTimer {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.clock.0.lock().unwrap();
        if state.start + state.offset >= self.deadline {
            Poll::Ready(())
        } else {
            state.wakers.push(cx.waker().clone());
            Poll::Pending
        }
    }
}

thread_local! {
    static RECORDING: std::cell::RefCell<Option<Recorder>> = const { std::cell::RefCell::new(None) };
}

/// Records what is traced on this thread until the guard drops. One global subscriber
/// routes to the recording thread's [`Recorder`]: a scoped one (`set_default`) can miss
/// events when a test on another thread meets the same callsites first and tracing caches
/// them as disabled.
pub fn record_tracing() -> (Recorder, RecordingGuard) {
    static ROUTER: std::sync::Once = std::sync::Once::new();
    ROUTER.call_once(|| {
        tracing::subscriber::set_global_default(Router).expect("no other global subscriber");
    });
    let recorder = Recorder::default();
    RECORDING.with(|r| *r.borrow_mut() = Some(recorder.clone()));
    (recorder, RecordingGuard)
}

/// Stops the recording [`record_tracing`] started on this thread.
pub struct RecordingGuard;

impl Drop for RecordingGuard {
    fn drop(&mut self) {
        RECORDING.with(|r| *r.borrow_mut() = None);
    }
}

/// The global subscriber: everything is enabled, and goes to the thread's recorder if any.
struct Router;

fn recording<T>(f: impl FnOnce(&Recorder) -> T) -> Option<T> {
    RECORDING.with(|r| r.borrow().as_ref().map(f))
}

impl tracing::Subscriber for Router {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        recording(|r| r.new_span(span)).unwrap_or_else(|| tracing::span::Id::from_u64(u64::MAX))
    }

    fn record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        recording(|r| r.record(span, values));
    }

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        recording(|r| r.event(event));
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

/// A tracing subscriber that writes every span, field record and event as a line of text.
#[derive(Clone, Default)]
pub struct Recorder {
    lines: Arc<Mutex<Vec<String>>>,
    next_id: Arc<Mutex<u64>>,
}

impl Recorder {
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }
}

struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        write!(self.0, " {}={:?}", field.name(), value).unwrap();
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        write!(self.0, " {}={}", field.name(), value).unwrap();
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut id = self.next_id.lock().unwrap();
        *id += 1;
        let mut fields = Fields(format!("span#{} {}", *id, span.metadata().name()));
        span.record(&mut fields);
        self.lines.lock().unwrap().push(fields.0);
        tracing::span::Id::from_u64(*id)
    }

    fn record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut fields = Fields(format!("record#{}", span.into_u64()));
        values.record(&mut fields);
        self.lines.lock().unwrap().push(fields.0);
    }

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = Fields(format!("event {}", event.metadata().level()));
        event.record(&mut fields);
        self.lines.lock().unwrap().push(fields.0);
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}
