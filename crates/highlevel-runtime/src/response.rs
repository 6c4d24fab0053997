//! [`Response`]: a decoded answer with its status and rate-limit state.

use crate::rate_limit::RateLimit;
use reqwest::StatusCode;
use std::ops::{Deref, DerefMut};

/// A successful answer: the decoded body, the status and the rate-limit state HighLevel
/// reported. Dereferences to the body, so its fields read directly (`response.contact.id`).
///
/// ```
/// use highlevel_runtime::{RateLimit, Response};
/// use reqwest::StatusCode;
///
/// let response = Response::new(vec![1, 2, 3], StatusCode::OK, RateLimit::default());
/// assert_eq!(response.len(), 3); // the body's own methods
/// assert_eq!(response.status, StatusCode::OK);
/// assert_eq!(response.into_body(), [1, 2, 3]);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Response<T> {
    /// The decoded body.
    pub body: T,
    /// The status HighLevel answered.
    pub status: StatusCode,
    /// The rate-limit state after this request.
    pub rate_limit: RateLimit,
}

impl<T> Response<T> {
    /// A response from its parts.
    pub fn new(body: T, status: StatusCode, rate_limit: RateLimit) -> Response<T> {
        Response {
            body,
            status,
            rate_limit,
        }
    }

    /// The body alone.
    pub fn into_body(self) -> T {
        self.body
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.body
    }
}

impl<T> DerefMut for Response<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.body
    }
}
