//! The three fields every delivery carries whatever its event: `type`, `timestamp` and
//! `webhookId`, read before the event itself.

use crate::error::{ErrorKind, WebhookError};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Raw {
    #[serde(rename = "type", default)]
    event_type: Option<Value>,
    #[serde(default)]
    timestamp: Option<Value>,
    #[serde(rename = "webhookId", default)]
    webhook_id: Option<Value>,
}

/// A delivery's envelope.
pub(crate) struct Envelope {
    pub(crate) event_type: Option<String>,
    pub(crate) timestamp: String,
    pub(crate) webhook_id: String,
}

/// Reads the envelope of `body`, which must be a JSON object.
pub(crate) fn read(body: &[u8]) -> Result<Envelope, WebhookError> {
    // serde would also read a struct from an array of its fields: only an object is a body.
    if body.trim_ascii_start().first() != Some(&b'{') {
        return Err(WebhookError::new(ErrorKind::MalformedJson)
            .with_detail("the body is not a JSON object"));
    }
    let raw: Raw = serde_json::from_slice(body).map_err(|e| malformed(&e))?;
    let text = |value: Option<Value>, name: &str| match value {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(WebhookError::new(ErrorKind::MissingField)
            .with_detail(&format!("`{name}` is not a string"))),
        None => {
            Err(WebhookError::new(ErrorKind::MissingField).with_detail(&format!("no `{name}`")))
        }
    };
    let webhook_id = text(raw.webhook_id, "webhookId")?;
    let timestamp = text(raw.timestamp, "timestamp").map_err(|e| e.with_webhook_id(&webhook_id))?;
    let event_type = match raw.event_type {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    Ok(Envelope {
        event_type,
        timestamp,
        webhook_id,
    })
}

/// A JSON error described by its category and position only: serde_json's own message can
/// quote the body.
pub(crate) fn malformed(error: &serde_json::Error) -> WebhookError {
    let what = match error.classify() {
        serde_json::error::Category::Io => "cannot be read",
        serde_json::error::Category::Syntax => "is not valid JSON",
        serde_json::error::Category::Data => "is not a JSON object",
        serde_json::error::Category::Eof => "ends too early",
    };
    WebhookError::new(ErrorKind::MalformedJson).with_detail(&format!(
        "the body {what} (line {}, column {})",
        error.line(),
        error.column()
    ))
}
