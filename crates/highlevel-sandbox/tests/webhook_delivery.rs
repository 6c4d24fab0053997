//! Delivery as the generic sandbox does it, for any document: a trigger's event reaches a
//! real loopback endpoint, a 5xx is retried with the same delivery, and an endpoint that never
//! answers does not slow the API's answer.

use bytes::Bytes;
use highlevel_sandbox::{Api, Sandbox, WebhookTrigger};
use highlevel_webhooks::{PublicKey, WebhookVerifier};
use http_body_util::{BodyExt, Full};
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

const DOCUMENT: &str = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
  "paths": {"/things/{thingId}": {"delete": {"operationId": "delete-thing",
    "x-highlevel-version": "2021-07-28",
    "parameters": [{"name": "thingId", "in": "path", "required": true,
      "schema": {"type": "string"}},
      {"name": "locationId", "in": "query", "required": true, "schema": {"type": "string"}}],
    "responses": {"200": {"description": "ok", "content": {"application/json":
      {"schema": {"type": "object", "properties": {"succeeded": {"type": "boolean"}}}}}}}}}}}"#;

/// An endpoint that answers the first `failures` deliveries with `failure` (or never, for
/// `None`), then 200; each delivery's headers and body go to the channel.
async fn endpoint(
    failures: usize,
    failure: Option<StatusCode>,
) -> (String, mpsc::UnboundedReceiver<(http::HeaderMap, Bytes)>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (sender, received) = mpsc::unbounded_channel();
    let seen = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (sender, seen) = (sender.clone(), seen.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(
                    move |request: hyper::Request<hyper::body::Incoming>| {
                        let (sender, seen) = (sender.clone(), seen.clone());
                        async move {
                            let (head, body) = request.into_parts();
                            let body = body.collect().await.unwrap().to_bytes();
                            let _ = sender.send((head.headers, body));
                            let mut response = Response::new(Full::new(Bytes::new()));
                            if seen.fetch_add(1, Ordering::SeqCst) < failures {
                                match failure {
                                    Some(status) => *response.status_mut() = status,
                                    None => std::future::pending::<()>().await,
                                }
                            }
                            Ok::<_, Infallible>(response)
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (url, received)
}

async fn sandbox(url: &str) -> Sandbox {
    Sandbox::builder(Api::from_document(DOCUMENT).unwrap())
        .webhook_url(url)
        .webhook_trigger(
            WebhookTrigger::new("delete-thing", "ThingDelete", "thing")
                .without_answer()
                .id_param("thingId")
                .ends_object(),
        )
        .start()
        .await
        .unwrap()
}

/// `DELETE /things/t1?locationId=loc_9` over a raw connection; the status line.
async fn delete_thing(sandbox: &Sandbox) -> String {
    let mut stream = TcpStream::connect(sandbox.addr()).await.unwrap();
    let request = format!(
        "DELETE /things/t1?locationId=loc_9 HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer t\r\n\
         Version: 2021-07-28\r\nConnection: close\r\n\r\n",
        sandbox.addr()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer.lines().next().unwrap_or_default().to_string()
}

async fn next(
    received: &mut mpsc::UnboundedReceiver<(http::HeaderMap, Bytes)>,
) -> (http::HeaderMap, Bytes) {
    tokio::time::timeout(Duration::from_secs(10), received.recv())
        .await
        .expect("a delivery in time")
        .unwrap()
}

#[tokio::test]
async fn a_5xx_is_retried_with_the_same_delivery_which_then_verifies() {
    let (url, mut received) = endpoint(1, Some(StatusCode::SERVICE_UNAVAILABLE)).await;
    let sandbox = sandbox(&url).await;
    assert_eq!(delete_thing(&sandbox).await, "HTTP/1.1 200 OK");
    let (first_headers, first) = next(&mut received).await;
    let (headers, body) = next(&mut received).await;
    assert_eq!(first, body, "a retry sends the same bytes");
    assert_eq!(first_headers["x-wh-signature"], headers["x-wh-signature"]);
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["type"], "ThingDelete");
    assert_eq!(json["locationId"], "loc_9", "from the query");
    assert_eq!(json["thing"], serde_json::json!({"id": "t1"}));
    let keys = sandbox.webhook_public_keys();
    let verifier = WebhookVerifier::builder()
        .without_highlevel_keys()
        .trust(PublicKey::from_pem("ed", &keys.ed25519_pem).unwrap())
        .trust(PublicKey::from_pem("rsa", &keys.rsa_pem).unwrap())
        .build()
        .unwrap();
    let delivery = verifier.verify(&headers, &body).await.unwrap();
    assert_eq!(delivery.webhook_id(), json["webhookId"].as_str().unwrap());
}

#[tokio::test]
async fn an_endpoint_that_never_answers_does_not_hold_up_the_api() {
    let (url, mut received) = endpoint(usize::MAX, None).await;
    let sandbox = sandbox(&url).await;
    let started = Instant::now();
    for _ in 0..3 {
        assert_eq!(delete_thing(&sandbox).await, "HTTP/1.1 200 OK");
    }
    // The endpoint holds the first delivery; the three answers came regardless.
    next(&mut received).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_keys_are_served_at_the_sandbox_only_path() {
    let sandbox = Sandbox::builder(Api::from_document(DOCUMENT).unwrap())
        .start()
        .await
        .unwrap();
    let mut stream = TcpStream::connect(sandbox.addr()).await.unwrap();
    let request = "GET /_sandbox/webhooks/keys HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let (_, body) = answer.split_once("\r\n\r\n").unwrap();
    let keys: serde_json::Value = serde_json::from_str(body).unwrap();
    let keys = highlevel_sandbox::WebhookPublicKeys::from_json(&keys).unwrap();
    assert_eq!(keys, sandbox.webhook_public_keys());
}
