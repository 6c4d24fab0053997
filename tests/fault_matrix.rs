//! Faults only a raw socket can produce: resets, stalls and bodies without a length.
//! Each test asserts how many requests reached the server and what the caller got; none may
//! resend a POST that could have been processed. (The rows a well-behaved HTTP server can play
//! are in `errors.rs` and `retries.rs`.)

mod common;

use common::TOKEN;
use highlevel_calendars::types::CalendarCreateDto;
use highlevel_calendars::{Client, Created, Error, RetryPolicy};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does once it has read a whole request.
#[derive(Clone, Copy)]
enum Behaviour {
    /// Close the connection with a reset, writing nothing.
    ResetBeforeResponse,
    /// Write the status line, then reset.
    ResetAfterStatusLine,
    /// Write nothing and hold the connection open.
    StallBeforeHeaders,
    /// Write headers announcing a body, part of it, then hold the connection open.
    StallInBody,
    /// Stream a chunked body (no Content-Length) larger than the client's cap.
    EndlessChunkedBody,
}

/// A loopback server that counts complete requests and then misbehaves.
struct Faulty {
    url: String,
    requests: Arc<AtomicUsize>,
}

impl Faulty {
    async fn start(behaviour: Behaviour) -> Faulty {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let counter = counter.clone();
                tokio::spawn(async move { serve(stream, behaviour, counter).await });
            }
        });
        Faulty { url, requests }
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    fn client(&self) -> Client {
        Client::builder()
            .token(TOKEN)
            .base_url(&self.url)
            .timeout(Duration::from_millis(300))
            .max_response_bytes(64 * 1024)
            .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
            .build()
            .unwrap()
    }

    async fn create(&self) -> Result<Created, Error> {
        let body = CalendarCreateDto::builder()
            .location_id("loc")
            .name("Calendar");
        self.client().create_calendar(body).send().await
    }
}

/// Reads one request: headers up to the blank line, then `Content-Length` bytes of body.
async fn read_request(stream: &mut TcpStream) -> bool {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let header_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    };
    let headers = String::from_utf8_lossy(&data[..header_end]).to_ascii_lowercase();
    let length: usize = headers
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while data.len() < header_end + length {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
    true
}

async fn serve(mut stream: TcpStream, behaviour: Behaviour, requests: Arc<AtomicUsize>) {
    if !read_request(&mut stream).await {
        return;
    }
    requests.fetch_add(1, Ordering::SeqCst);
    match behaviour {
        Behaviour::ResetBeforeResponse => reset(stream),
        Behaviour::ResetAfterStatusLine => {
            let _ = stream.write_all(b"HTTP/1.1 201 Created\r\n").await;
            let _ = stream.flush().await;
            reset(stream);
        }
        Behaviour::StallBeforeHeaders => hold(stream).await,
        Behaviour::StallInBody => {
            let head = "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"calendar\":";
            let _ = stream.write_all(head.as_bytes()).await;
            hold(stream).await;
        }
        Behaviour::EndlessChunkedBody => {
            let head = "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = format!("{:x}\r\n{}\r\n", 8192, " ".repeat(8192));
            // Stops when the client hangs up, which it must do once past its cap.
            while stream.write_all(chunk.as_bytes()).await.is_ok() {}
        }
    }
}

fn reset(stream: TcpStream) {
    // A zero linger turns the close into a TCP reset.
    let _ = stream.set_zero_linger();
    drop(stream);
}

async fn hold(mut stream: TcpStream) {
    let mut buf = [0u8; 64];
    // Returns when the client gives up and closes its side.
    while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
}

#[tokio::test]
async fn reset_before_any_response_is_a_transport_error_sent_once() {
    let server = Faulty::start(Behaviour::ResetBeforeResponse).await;
    let err = server.create().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("create-calendar may have taken effect")
    );
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn reset_after_the_status_line_is_a_transport_error_sent_once() {
    let server = Faulty::start(Behaviour::ResetAfterStatusLine).await;
    let err = server.create().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn headers_slower_than_the_timeout_time_out_after_one_request() {
    let server = Faulty::start(Behaviour::StallBeforeHeaders).await;
    let err = server.create().await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { after, .. } if after == Duration::from_millis(300)),
        "{err:?}"
    );
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_body_slower_than_the_timeout_times_out_after_one_request() {
    let server = Faulty::start(Behaviour::StallInBody).await;
    let err = server.create().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn an_endless_body_without_a_length_stops_at_the_cap() {
    let server = Faulty::start(Behaviour::EndlessChunkedBody).await;
    let err = server.create().await.unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 65536, ref status } if status.as_u16() == 201),
        "{err:?}"
    );
    assert_eq!(server.requests(), 1);
}

/// Idempotent operations (GET, PUT, DELETE) are sent again after a reset or a stall, within the
/// policy's attempts (3 by default); the same faults never resend a POST (tests above).
#[tokio::test]
async fn idempotent_operations_are_retried_after_a_reset_and_a_stall() {
    for behaviour in [
        Behaviour::ResetBeforeResponse,
        Behaviour::StallBeforeHeaders,
    ] {
        let server = Faulty::start(behaviour).await;
        let client = server.client();
        let get = client.get_calendar("cal_1").send().await.unwrap_err();
        let delete = client.delete_calendar("cal_1").send().await.unwrap_err();
        assert!(
            matches!(get, Error::Transport { .. } | Error::Timeout { .. }),
            "{get:?}"
        );
        assert!(
            get.to_string()
                .contains("get-calendar is safe to send again"),
            "{get}"
        );
        assert!(
            matches!(delete, Error::Transport { .. } | Error::Timeout { .. }),
            "{delete:?}"
        );
        assert_eq!(server.requests(), 6, "3 attempts each");
    }
}
