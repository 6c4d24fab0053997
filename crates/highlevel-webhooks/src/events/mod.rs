//! The events HighLevel documents, one type each, generated from its event pages by
//! `cargo xtask webhooks`, and the catch-all for the rest.
//!
//! Every field is optional unless the page marks it required and all its examples have it,
//! since HighLevel leaves fields out freely; fields a page does not list are ignored (the
//! body is kept whole in [`Delivery::body`](crate::Delivery::body)).
//!
//! ```
//! use highlevel_webhooks::events::{AppointmentCreate, EVENT_TYPES};
//!
//! assert!(EVENT_TYPES.iter().any(|(event_type, _)| *event_type == "AppointmentCreate"));
//! let created: AppointmentCreate = serde_json::from_str(r#"{"locationId":"l1"}"#).unwrap();
//! assert_eq!(created.location_id.as_deref(), Some("l1"));
//! ```

mod generated;

pub use generated::*;

use crate::envelope::malformed;
use crate::error::WebhookError;
use serde_json::Value;

/// An event whose `type` no page documents (a new one, say), or a documented one whose body
/// does not fit its page's fields: its `type` and the whole body as JSON, so nothing is lost.
///
/// ```
/// use highlevel_webhooks::Event;
///
/// let event = Event::from_json(br#"{"type":"BrandNewThing","x":1}"#)?;
/// let Event::Unknown(unknown) = event else { panic!("not documented") };
/// assert_eq!(unknown.event_type(), Some("BrandNewThing"));
/// assert_eq!(unknown.raw()["x"], 1);
/// assert_eq!(unknown.mismatch(), None);
/// # Ok::<(), highlevel_webhooks::WebhookError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownEvent {
    event_type: Option<String>,
    raw: Value,
    mismatch: Option<String>,
}

impl UnknownEvent {
    /// The body's `type`, if it has one.
    ///
    /// ```
    /// let event = highlevel_webhooks::Event::from_json(br#"{"a":1}"#)?;
    /// assert_eq!(event.event_type(), None);
    /// # Ok::<(), highlevel_webhooks::WebhookError>(())
    /// ```
    pub fn event_type(&self) -> Option<&str> {
        self.event_type.as_deref()
    }

    /// The whole body, as JSON.
    ///
    /// ```
    /// use highlevel_webhooks::Event;
    ///
    /// let Event::Unknown(unknown) = Event::from_json(br#"{"type":"New","n":2}"#)? else { unreachable!() };
    /// assert_eq!(unknown.raw()["n"], 2);
    /// # Ok::<(), highlevel_webhooks::WebhookError>(())
    /// ```
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// For a documented `type` whose body did not fit its page's fields, why (serde's
    /// message); `None` for a `type` no page documents.
    ///
    /// ```
    /// use highlevel_webhooks::Event;
    ///
    /// let body = br#"{"type":"ContactDelete","email":42}"#; // a number where text is documented
    /// let Event::Unknown(unknown) = Event::from_json(body)? else { unreachable!() };
    /// assert!(unknown.mismatch().is_some());
    /// # Ok::<(), highlevel_webhooks::WebhookError>(())
    /// ```
    pub fn mismatch(&self) -> Option<&str> {
        self.mismatch.as_deref()
    }
}

impl Event {
    /// Decodes a body (no signature or replay check: see
    /// [`WebhookVerifier`](crate::WebhookVerifier) for deliveries). Fails only when the body
    /// is not a JSON object; any object decodes, as [`Event::Unknown`] when it is not a
    /// documented event.
    ///
    /// ```
    /// use highlevel_webhooks::Event;
    ///
    /// let event = Event::from_json(br#"{"type":"UNINSTALL","locationId":"loc1"}"#)?;
    /// let Event::AppUninstall(uninstall) = &event else { panic!() };
    /// assert_eq!(uninstall.location_id.as_deref(), Some("loc1"));
    /// assert_eq!(event.event_type(), Some("UNINSTALL"));
    /// # Ok::<(), highlevel_webhooks::WebhookError>(())
    /// ```
    pub fn from_json(body: &[u8]) -> Result<Event, WebhookError> {
        let object: serde_json::Map<String, Value> =
            serde_json::from_slice(body).map_err(|e| malformed(&e))?;
        let event_type = match object.get("type") {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        Ok(Event::decode(event_type, body))
    }

    /// The event of a body already known to be a JSON object with this `type`.
    pub(crate) fn decode(event_type: Option<String>, body: &[u8]) -> Event {
        let mismatch = match event_type
            .as_deref()
            .and_then(|t| generated::decode_documented(t, body))
        {
            Some(Ok(event)) => return event,
            Some(Err(error)) => Some(error.to_string()),
            None => None,
        };
        Event::Unknown(UnknownEvent {
            event_type,
            raw: serde_json::from_slice(body).unwrap_or(Value::Null),
            mismatch,
        })
    }

    /// The event's `type`: the documented one for a known event, the body's for an unknown
    /// one.
    ///
    /// ```
    /// let event = highlevel_webhooks::Event::from_json(br#"{"type":"AppointmentCreate"}"#)?;
    /// assert_eq!(event.event_type(), Some("AppointmentCreate"));
    /// # Ok::<(), highlevel_webhooks::WebhookError>(())
    /// ```
    pub fn event_type(&self) -> Option<&str> {
        match self {
            Event::Unknown(unknown) => unknown.event_type(),
            known => generated::documented_type(known),
        }
    }
}
