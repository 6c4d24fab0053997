//! An app's webhook endpoint on a loopback port: it keeps every delivery (headers and body
//! bytes as received) and answers 200, so a test can check them with the verifier.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{HeaderMap, Response};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// How long a test waits for a delivery before failing.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// One delivery as the endpoint received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a webhook body is JSON")
    }
}

/// The endpoint: its URL and what reached it.
pub struct Receiver {
    pub url: String,
    deliveries: mpsc::UnboundedReceiver<Received>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Receiver {
    /// Listens on a free port of 127.0.0.1 at `/webhooks`.
    pub async fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/webhooks", listener.local_addr().unwrap());
        let (sender, deliveries) = mpsc::unbounded_channel();
        let server = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let sender = sender.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(
                        move |request: hyper::Request<hyper::body::Incoming>| {
                            let sender = sender.clone();
                            async move {
                                let (head, body) = request.into_parts();
                                let body = body.collect().await.map(|b| b.to_bytes());
                                let body = body.unwrap_or_default();
                                let _ = sender.send(Received {
                                    headers: head.headers,
                                    body,
                                });
                                Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
                            }
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Receiver {
            url,
            deliveries,
            server,
        }
    }

    /// The next delivery, failing the test past [`DEADLINE`].
    pub async fn next(&mut self) -> Received {
        tokio::time::timeout(DEADLINE, self.deliveries.recv())
            .await
            .expect("a webhook arrives in time")
            .expect("the endpoint runs")
    }

    /// Whether another delivery arrives within `wait` (to check that nothing more came).
    pub async fn another_within(&mut self, wait: Duration) -> Option<Received> {
        tokio::time::timeout(wait, self.deliveries.recv())
            .await
            .ok()
            .flatten()
    }
}
