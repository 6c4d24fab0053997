//! The [`Client`] and its create-calendar call.

use crate::auth::{IssuedToken, TokenSource};
use crate::call::{CallContext, CallSettings};
use crate::config::{BuildError, ClientBuilder, EnvSettings};
use crate::error::Error;
use crate::generated;
use crate::outcome::{self, AttemptInfo, Created};
use crate::request_body::IntoCalendarBody;
use crate::retry::{self, Decision, RetryPolicy};
use crate::telemetry::CallSpan;
use crate::types;
use crate::validation::{self, Rule, Validation, ValidationError};
use bytes::Bytes;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A client of HighLevel's Calendars API. Cheap to clone (one `Arc`); share it freely.
///
/// ```no_run
/// use highlevel_calendars::{Client, types::CalendarCreateDto};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = Client::builder().token("pit-xxxxxxxx").build()?;
/// let body = CalendarCreateDto::builder()
///     .location_id("ocQHyuzHvysMo5N5VsXc")
///     .name("Intro call");
/// let created = client.create_calendar(body).send().await?;
/// println!("{} ({})", created.calendar.id, created.rate_limit);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) tokens: TokenSource,
    pub(crate) call: Arc<CallSettings>,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Duration,
    pub(crate) validation: Validation,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("token", &"** redacted **")
            .field("retry", &self.inner.retry)
            .field("timeout", &self.inner.timeout)
            .field("validation", &self.inner.validation)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `HIGHLEVEL_TOKEN` and, when set, `HIGHLEVEL_BASE_URL`.
    ///
    /// ```no_run
    /// let client = highlevel_calendars::Client::from_env()?;
    /// # Ok::<(), highlevel_calendars::BuildError>(())
    /// ```
    pub fn from_env() -> Result<Client, BuildError> {
        EnvSettings::from_env().client_builder()?.build()
    }

    pub(crate) fn from_inner(inner: ClientInner) -> Client {
        Client {
            inner: Arc::new(inner),
        }
    }

    /// The API server this client talks to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Prepares a Create Calendar request (`POST /calendars/`). Nothing is sent until
    /// [`CreateCalendar::send`].
    ///
    /// `body` is a [`types::CalendarCreateDto`] (owned or borrowed), its builder, or one of the
    /// per-type starting points in [`calendar`](crate::calendar).
    pub fn create_calendar<'a>(&'a self, body: impl IntoCalendarBody<'a>) -> CreateCalendar<'a> {
        CreateCalendar {
            client: self,
            body: body.into_calendar_body(),
            validation: None,
        }
    }
}

/// A Create Calendar request, ready to [`send`](CreateCalendar::send).
#[must_use = "nothing is sent until `.send().await`"]
pub struct CreateCalendar<'a> {
    client: &'a Client,
    body: Result<Cow<'a, types::CalendarCreateDto>, ValidationError>,
    validation: Option<Validation>,
}

impl fmt::Debug for CreateCalendar<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateCalendar")
            .field("body", &self.body)
            .field("validation", &self.validation)
            .finish_non_exhaustive()
    }
}

impl CreateCalendar<'_> {
    /// Checks this request against other rules than the client's (see [`Validation`]).
    pub fn validation(mut self, validation: Validation) -> Self {
        self.validation = Some(validation);
        self
    }

    /// Validates the body, then sends it; retries only where the calendar cannot have been
    /// created (see [`RetryPolicy`]).
    pub async fn send(self) -> Result<Created, Error> {
        let inner = &self.client.inner;
        let body = self.body?;
        let validation = self.validation.as_ref().unwrap_or(&inner.validation);
        validation::validate_request(&body, validation)?;
        // Serialized once: every attempt sends these bytes.
        let body = Bytes::from(serde_json::to_vec(&*body).map_err(|e| {
            ValidationError::single("", Rule::Type, format!("cannot be serialized: {e}"))
        })?);

        let span = CallSpan::new("create-calendar", "POST", "/calendars/");
        let started = Instant::now();
        let result = span
            .run(Box::pin(send_with_retries(inner, &body, &span, started)))
            .await;
        span.finish(
            started.elapsed(),
            result
                .as_ref()
                .map(|_| ())
                .map_err(|e| e as &dyn fmt::Display),
        );
        result
    }
}

async fn send_with_retries(
    inner: &ClientInner,
    body: &Bytes,
    span: &CallSpan,
    started: Instant,
) -> Result<Created, Error> {
    let mut token = inner.tokens.get().await.map_err(Error::Token)?;
    let mut refreshed = false;
    let mut attempt = 0;
    loop {
        attempt += 1;
        span.attempt(attempt);
        // Boxed: the generated request future is large (kilobytes), and every future that
        // holds it inline is copied whole each time it moves.
        let error = match Box::pin(send_once(inner, body, &token)).await {
            Ok(created) => {
                span.response(Some(created.status.as_u16()), None);
                return Ok(created);
            }
            Err(error) => error,
        };
        span.response(error.status().map(|s| s.as_u16()), error.trace_id());
        if matches!(error, Error::Unauthorized(_)) && !refreshed {
            refreshed = true;
            match inner.tokens.refresh(&token).await.map_err(Error::Token)? {
                Some(new_token) => {
                    span.retrying(Duration::ZERO, &"401 with a refreshed token");
                    token = new_token;
                    attempt -= 1; // A refresh does not use up the retry policy's attempts.
                    continue;
                }
                None => return Err(error),
            }
        }
        let failure = outcome::failure_of(&error);
        match retry::decide(
            &inner.retry,
            failure,
            attempt,
            started.elapsed(),
            retry::jitter(),
        ) {
            Decision::RetryAfter(wait) => {
                span.retrying(wait, &error);
                tokio::time::sleep(wait).await;
            }
            Decision::GiveUp => return Err(error),
        }
    }
}

async fn send_once(
    inner: &ClientInner,
    body: &Bytes,
    token: &IssuedToken,
) -> Result<Created, Error> {
    let context = CallContext::new(
        inner.call.clone(),
        token.authorization.clone(),
        body.clone(),
    );
    let generated =
        generated::Client::new_with_client(&inner.base_url, inner.http.clone(), context.clone());
    let result = generated
        .create_calendar()
        .body_map(crate::request_body::placeholder)
        .send()
        .await;
    let info = AttemptInfo {
        head: context.response_head(),
        secret: token.token.expose_secret(),
        timeout: inner.timeout,
        max_response_bytes: inner.call.max_response_bytes,
    };
    outcome::map_result(result, info).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_send_sync_and_clone() {
        fn assert<T: Send + Sync + Clone>() {}
        assert::<Client>();
    }
}
