//! Accepting connections and turning each request into an answer (or a fault).
//!
//! hyper does the HTTP; this file only decides, per connection, when to hang up without
//! answering, which hyper's service interface cannot express: the service signals the
//! connection's task, which then drops the connection.

use crate::faults::{self, Fault};
use crate::reply::Reply;
use crate::{ReceivedRequest, Shared, handler};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::Poll;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinSet;

/// The largest request body read; HighLevel's own limit is not documented, and a calendar
/// definition is a few kilobytes.
const MAX_BODY: usize = 1024 * 1024;

/// Accepts connections until the task is aborted; aborting it also ends every connection, as
/// they live in its `JoinSet`.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        match listener.accept().await {
            Ok((stream, _)) => {
                connections.spawn(connection(stream, shared.clone()));
            }
            // Out of file descriptors, say: give the system a moment instead of spinning.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// What the handler decided for one request.
enum Answer {
    Respond(Reply),
    HangUp,
}

async fn connection(stream: TcpStream, shared: Arc<Shared>) {
    let hang_up = Arc::new(Notify::new());
    let signal = hang_up.clone();
    let service = hyper::service::service_fn(move |request| {
        let shared = shared.clone();
        let signal = signal.clone();
        async move {
            match handle(&shared, request).await {
                Answer::Respond(reply) => {
                    Ok::<Response<Full<Bytes>>, Infallible>(reply.into_response())
                }
                Answer::HangUp => {
                    signal.notify_one();
                    std::future::pending().await
                }
            }
        }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);
    // Whichever comes first: the connection ends, or the handler asks to hang up (dropping
    // the connection future closes the socket without a response).
    let mut connection = std::pin::pin!(connection);
    let mut hung_up = std::pin::pin!(hang_up.notified());
    std::future::poll_fn(|cx| {
        // Errors of the connection are the client's doing (it hung up, sent garbage); there is
        // nobody to tell.
        if connection.as_mut().poll(cx).is_ready() || hung_up.as_mut().poll(cx).is_ready() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
}

async fn handle(shared: &Shared, request: Request<Incoming>) -> Answer {
    if !shared.settings.log {
        return answer(shared, request).await;
    }
    let (method, path) = (request.method().clone(), request.uri().path().to_string());
    let answer = answer(shared, request).await;
    let line = match &answer {
        Answer::Respond(reply) => {
            // Only errors carry a traceId: a success body (a calendar is kilobytes) is not
            // parsed again just to find none.
            let trace = (!reply.status.is_success())
                .then(|| serde_json::from_slice::<serde_json::Value>(&reply.body).ok())
                .flatten()
                .and_then(|body| body.get("traceId")?.as_str().map(str::to_string))
                .unwrap_or_else(|| "-".into());
            format!("{method} {path} {} {trace}\n", reply.status.as_u16())
        }
        Answer::HangUp => format!("{method} {path} dropped -\n"),
    };
    // One write for the line: standard error is unbuffered, and `eprintln!` writes each piece
    // of its format on its own (a system call each).
    let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
    answer
}

async fn answer(shared: &Shared, request: Request<Incoming>) -> Answer {
    shared.received.fetch_add(1, Ordering::SeqCst);
    let (head, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            shared.record(|| ReceivedRequest::of(&head, Bytes::new()));
            let message = format!("request entity too large: at most {MAX_BODY} bytes");
            let key = handler::early_key(&head, b"");
            let report = shared.limiter().peek(&key, Instant::now());
            return Answer::Respond(
                Reply::error_one(StatusCode::PAYLOAD_TOO_LARGE, message).with_limits(&report),
            );
        }
        // The client went away mid-body: there is no one to answer.
        Err(_) => return Answer::HangUp,
    };
    shared.record(|| ReceivedRequest::of(&head, body.clone()));
    let fault = shared.faults().next();
    match fault {
        Some(Fault::DropConnection) => return Answer::HangUp,
        Some(Fault::Status(code)) => {
            let key = handler::early_key(&head, &body);
            let report = shared.limiter().peek(&key, Instant::now());
            return Answer::Respond(status_fault(code).with_limits(&report));
        }
        _ => {}
    }
    let webhook = faults::webhook_of(fault.as_ref());
    let mut reply = handler::answer(shared, &head, &body, webhook);
    match fault {
        Some(Fault::MalformedBody) => reply.body = Bytes::from_static(faults::MALFORMED_BODY),
        Some(Fault::TruncatedBody) => reply.body = Bytes::from(faults::truncate(&reply.body)),
        _ => {}
    }
    if let Some(wait) = faults::delay_of(fault.as_ref()) {
        tokio::time::sleep(wait).await;
    }
    Answer::Respond(reply)
}

/// The answer of an injected status: a proxy's HTML page for gateway statuses, HighLevel's
/// JSON error otherwise.
fn status_fault(code: u16) -> Reply {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let reason = status.canonical_reason().unwrap_or("Error");
    if faults::is_gateway_status(status.as_u16()) {
        Reply::html(status, faults::gateway_page(status.as_u16(), reason))
    } else {
        Reply::error_one(status, reason)
    }
}
