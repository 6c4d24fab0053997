//! [`run`]: the one path every generated call takes, from the generated future to a
//! [`Response`] or an [`Error`] that names the operation.

use crate::call::{Call, GeneratedResult};
use crate::error::Error;
use crate::outcome;
use crate::response::Response;
use serde::de::DeserializeOwned;
use std::future::Future;

/// Runs `request`, the generated builder's `send()` future made with a progenitor client whose
/// inner value is `call` (so the hooks send, retry and cap the body with its state), inside the
/// call's span, and turns its result into a [`Response`] or an [`Error`].
pub async fn run<T, F>(call: &Call, request: F) -> Result<Response<T>, Error>
where
    T: DeserializeOwned,
    F: Future<Output = GeneratedResult<T>>,
{
    let Some(state) = call.state.as_ref() else {
        return Err(Error::Validation(
            crate::validation::ValidationError::single(
                "",
                crate::validation::Rule::TYPE,
                "a request must be sent through a started call",
            ),
        ));
    };
    let span = &state.span;
    let result = span
        .run(async {
            let result = request.await;
            let result = outcome::map_result(result, state, call.runtime()).await;
            if let Err(error) = &result {
                span.response(error.status().map(|s| s.as_u16()), error.trace_id());
            }
            result
        })
        .await;
    span.finish(
        state.started.elapsed(),
        result
            .as_ref()
            .map(|_| ())
            .map_err(|e| e as &dyn std::fmt::Display),
    );
    result
}
