//! Posting deliveries to the app's URL, off the path of the API's answers.
//!
//! The handler only puts a signed delivery on a bounded queue (and drops it, with a line on
//! stderr, when the queue is full): a slow or absent app never slows the sandbox's answers.
//! One task posts them in order; a late one waits in a task of its own. A delivery that meets
//! a connection error, a timeout or a 5xx is tried up to three times in all, 100 ms then
//! 200 ms apart, with the same body and `webhookId` (as a real sender retries); a 4xx is the
//! app's verdict and is not retried. A delivery that still fails is logged (event type,
//! `webhookId`, the URL's origin and why) and dropped.

use super::signer::Signatures;
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HOST, USER_AGENT};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use url::Url;

/// Deliveries waiting to be posted at most; more are dropped.
const QUEUE: usize = 1024;
/// Tries per delivery, the first included.
const ATTEMPTS: u32 = 3;
/// How long one try may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(10);

/// One signed delivery.
#[derive(Clone, Debug)]
pub(crate) struct Outgoing {
    pub(crate) body: Bytes,
    pub(crate) signatures: Signatures,
    /// For the log only.
    pub(crate) event_type: String,
    /// For the log only.
    pub(crate) webhook_id: String,
    /// How long to hold it first (a late fault).
    pub(crate) delay: Option<Duration>,
    /// How many times to post it (2 for a twice fault).
    pub(crate) copies: usize,
}

/// The queue to the posting task. The task ends once every sender is gone and the queue is
/// empty.
#[derive(Debug)]
pub(crate) struct Sender {
    queue: mpsc::Sender<Outgoing>,
}

impl Sender {
    /// Starts the posting task (within a Tokio runtime).
    pub(crate) fn start(url: Url) -> Sender {
        let (queue, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(post_all(url, receiver));
        Sender { queue }
    }

    /// Queues `outgoing`, never waiting.
    pub(crate) fn send(&self, outgoing: Outgoing) {
        if let Err(e) = self.queue.try_send(outgoing) {
            let outgoing = match e {
                mpsc::error::TrySendError::Full(o) | mpsc::error::TrySendError::Closed(o) => o,
            };
            eprintln!(
                "sandbox: webhook {} {} dropped: {QUEUE} deliveries are already waiting",
                outgoing.event_type, outgoing.webhook_id
            );
        }
    }
}

async fn post_all(url: Url, mut receiver: mpsc::Receiver<Outgoing>) {
    while let Some(outgoing) = receiver.recv().await {
        match outgoing.delay {
            Some(delay) => {
                let url = url.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    deliver(&url, &outgoing).await;
                });
            }
            None => deliver(&url, &outgoing).await,
        }
    }
}

/// Posts every copy of `outgoing`, each with its retries.
async fn deliver(url: &Url, outgoing: &Outgoing) {
    for _ in 0..outgoing.copies {
        if let Err(why) = deliver_once(url, outgoing).await {
            eprintln!(
                "sandbox: webhook {} {} to {}: {why}; dropped",
                outgoing.event_type,
                outgoing.webhook_id,
                url.origin().ascii_serialization()
            );
        }
    }
}

async fn deliver_once(url: &Url, outgoing: &Outgoing) -> Result<(), String> {
    let mut why = String::new();
    for attempt in 1..=ATTEMPTS {
        if attempt > 1 {
            tokio::time::sleep(Duration::from_millis(100 << (attempt - 2))).await;
        }
        match tokio::time::timeout(TIMEOUT, post(url, outgoing)).await {
            Ok(Ok(status)) if status.is_success() => return Ok(()),
            Ok(Ok(status)) if status.is_client_error() => {
                return Err(format!("the app answered {status}"));
            }
            Ok(Ok(status)) => why = format!("the app answered {status}"),
            Ok(Err(e)) => why = e,
            Err(_) => why = format!("no answer within {TIMEOUT:?}"),
        }
    }
    Err(format!("{why} ({ATTEMPTS} tries)"))
}

/// One POST over a new HTTP/1.1 connection.
async fn post(url: &Url, outgoing: &Outgoing) -> Result<StatusCode, String> {
    let host = url.host_str().ok_or("the URL has no host")?;
    let port = url.port_or_known_default().ok_or("the URL has no port")?;
    let stream = TcpStream::connect((host, port))
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP: {e}"))?;
    // Drives the connection; it ends with the response or the error that `send_request` sees.
    tokio::spawn(connection);
    let authority = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    };
    let request = Request::post(&url[url::Position::BeforePath..])
        .header(HOST, authority)
        .header(CONTENT_TYPE, "application/json")
        .header(USER_AGENT, "highlevel-sandbox")
        .header("x-ghl-signature", &outgoing.signatures.ed25519)
        .header("x-wh-signature", &outgoing.signatures.rsa)
        .body(Full::new(outgoing.body.clone()))
        .map_err(|e| format!("cannot make the request: {e}"))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| format!("HTTP: {e}"))?;
    Ok(response.status())
}
