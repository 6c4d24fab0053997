//! A response body read up to a limit: a hostile server cannot make the client buffer without
//! bound.

use bytes::Bytes;
use futures_core::Stream;
use std::pin::Pin;
use std::task::{Context, Poll};

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
pub(crate) fn cap_body(response: reqwest::Response, limit: usize) -> reqwest::Response {
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
