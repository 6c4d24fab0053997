//! What the generated client does on each attempt, through progenitor's `ClientHooks`.
//!
//! The generated `Client` carries a [`CallContext`] (progenitor's "inner" value), made fresh for
//! every attempt. The hooks set the headers this crate owns (`Authorization`, `Version`,
//! `User-Agent`), remove the `api-version` header progenitor adds on its own, put in the body
//! the client serialized once for the whole call (so retries need no copy of the caller's
//! body), remember the status and headers of the response (the generated error for an
//! unreadable body keeps neither), and cap how much of the body is read.

use crate::generated;
use bytes::Bytes;
use futures_core::Stream;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

/// Headers and limits shared by every call of one client.
#[derive(Debug)]
pub(crate) struct CallSettings {
    /// `Version` and `User-Agent`.
    pub(crate) headers: HeaderMap,
    /// The most bytes of a response body read.
    pub(crate) max_response_bytes: usize,
    /// Total time one attempt may take, set on each request so that it also applies to a
    /// `reqwest::Client` the caller supplied.
    pub(crate) timeout: std::time::Duration,
}

/// Status and headers of the response to one attempt.
#[derive(Clone, Debug)]
pub(crate) struct ResponseHead {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
}

/// The per-attempt value the generated client carries.
#[derive(Clone, Debug)]
pub(crate) struct CallContext {
    settings: Arc<CallSettings>,
    authorization: HeaderValue,
    /// The caller's body, serialized once per call.
    body: Bytes,
    response: Arc<Mutex<Option<ResponseHead>>>,
}

impl CallContext {
    pub(crate) fn new(
        settings: Arc<CallSettings>,
        authorization: HeaderValue,
        body: Bytes,
    ) -> CallContext {
        CallContext {
            settings,
            authorization,
            body,
            response: Arc::new(Mutex::new(None)),
        }
    }

    /// The head of the response, once one arrived.
    pub(crate) fn response_head(&self) -> Option<ResponseHead> {
        self.response
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn record(&self, head: ResponseHead) {
        *self.response.lock().unwrap_or_else(|p| p.into_inner()) = Some(head);
    }
}

/// progenitor sends `api-version: <info.version>` on every request; HighLevel wants `Version`.
const PROGENITOR_VERSION_HEADER: HeaderName = HeaderName::from_static("api-version");

impl ClientHooks<CallContext> for generated::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let context = self.inner();
        let headers = request.headers_mut();
        headers.remove(PROGENITOR_VERSION_HEADER);
        for (name, value) in &context.settings.headers {
            headers.insert(name.clone(), value.clone());
        }
        headers.insert(
            reqwest::header::AUTHORIZATION,
            context.authorization.clone(),
        );
        *request.timeout_mut() = Some(context.settings.timeout);
        // The generated code serialized a placeholder; send the caller's body instead.
        *request.body_mut() = Some(reqwest::Body::from(context.body.clone()));
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.client().execute(request).await?;
        let context = self.inner();
        let status = response.status();
        context.record(ResponseHead {
            status,
            // Only an error reads these (rate limit, for an unreadable error body); a success
            // keeps its headers in the generated response value.
            headers: if status.is_success() {
                HeaderMap::new()
            } else {
                response.headers().clone()
            },
        });
        Ok(cap_body(response, context.settings.max_response_bytes))
    }
}

/// The error the capped body yields once the limit is passed; found again by the client in the
/// source chain of the generated error.
#[derive(Debug)]
pub(crate) struct BodyTooLarge;

impl std::fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("response body exceeds the configured limit")
    }
}

impl std::error::Error for BodyTooLarge {}

/// Rebuilds `response` with a body that fails as soon as more than `limit` bytes arrive (or at
/// once when `Content-Length` already says so), so a hostile server cannot make us buffer
/// without bound.
fn cap_body(response: reqwest::Response, limit: usize) -> reqwest::Response {
    let declared = response.content_length();
    if declared.is_some_and(|len| len <= limit as u64) {
        // hyper reads exactly the declared length, so the body is already bounded.
        return response;
    }
    let mut builder = http::Response::builder()
        .status(response.status())
        .version(response.version());
    if let Some(headers) = builder.headers_mut() {
        *headers = response.headers().clone();
    }
    let body = CappedBody {
        inner: Box::pin(response.bytes_stream()),
        remaining: if declared.is_some() {
            None
        } else {
            Some(limit)
        },
    };
    let rebuilt = builder
        .body(reqwest::Body::wrap_stream(body))
        .expect("status, version and headers come from a valid response");
    reqwest::Response::from(rebuilt)
}

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send + Sync>>;

struct CappedBody {
    inner: ByteStream,
    /// Bytes still allowed; `None` once the limit is known to be exceeded.
    remaining: Option<usize>,
}

impl Stream for CappedBody {
    type Item = Result<Bytes, Box<dyn std::error::Error + Send + Sync>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let Some(remaining) = self.remaining else {
            return Poll::Ready(Some(Err(Box::new(BodyTooLarge))));
        };
        match self.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                if chunk.len() > remaining {
                    self.remaining = None;
                    Poll::Ready(Some(Err(Box::new(BodyTooLarge))))
                } else {
                    self.remaining = Some(remaining - chunk.len());
                    Poll::Ready(Some(Ok(chunk)))
                }
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(Box::new(e)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}
