//! A delivery that passed every check.

use crate::events::Event;
use crate::scheme::Scheme;
use std::time::SystemTime;

/// A verified delivery: its typed event, the body exactly as received, and what was checked.
///
/// ```
/// use highlevel_webhooks::{Delivery, Event};
///
/// fn handle(delivery: Delivery) {
///     match delivery.event() {
///         Event::AppointmentCreate(created) => {
///             println!("booked: {:?}", created.appointment.as_ref().and_then(|a| a.id.as_deref()));
///         }
///         Event::AppUninstall(uninstall) => {
///             println!("forget the tokens of {:?}", uninstall.location_id);
///         }
///         other => println!("{} ({} bytes)", other.event_type().unwrap_or("?"), delivery.body().len()),
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Delivery {
    pub(crate) event: Event,
    pub(crate) body: Vec<u8>,
    pub(crate) webhook_id: String,
    pub(crate) timestamp: SystemTime,
    pub(crate) scheme: Scheme,
    pub(crate) key_id: String,
}

impl Delivery {
    /// The typed event.
    ///
    /// ```
    /// fn is_booking(delivery: &highlevel_webhooks::Delivery) -> bool {
    ///     matches!(delivery.event(), highlevel_webhooks::Event::AppointmentCreate(_))
    /// }
    /// ```
    pub fn event(&self) -> &Event {
        &self.event
    }

    /// The typed event, by value.
    ///
    /// ```
    /// fn take(delivery: highlevel_webhooks::Delivery) -> highlevel_webhooks::Event {
    ///     delivery.into_event()
    /// }
    /// ```
    pub fn into_event(self) -> Event {
        self.event
    }

    /// The body exactly as received (what the signature covers).
    ///
    /// ```
    /// fn raw(delivery: &highlevel_webhooks::Delivery) -> serde_json::Value {
    ///     serde_json::from_slice(delivery.body()).expect("a verified body is JSON")
    /// }
    /// ```
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body's `webhookId`.
    ///
    /// ```
    /// fn id(delivery: &highlevel_webhooks::Delivery) -> &str {
    ///     delivery.webhook_id()
    /// }
    /// ```
    pub fn webhook_id(&self) -> &str {
        &self.webhook_id
    }

    /// The body's `timestamp`, as an instant.
    ///
    /// ```
    /// fn age(delivery: &highlevel_webhooks::Delivery) -> std::time::Duration {
    ///     delivery.timestamp().elapsed().unwrap_or_default()
    /// }
    /// ```
    pub fn timestamp(&self) -> SystemTime {
        self.timestamp
    }

    /// The scheme whose signature was accepted.
    ///
    /// ```
    /// use highlevel_webhooks::{Delivery, Scheme};
    ///
    /// fn legacy(delivery: &Delivery) -> bool {
    ///     delivery.scheme() == Scheme::Rsa
    /// }
    /// ```
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The id of the key that accepted the signature (see
    /// [`PublicKey::id`](crate::PublicKey::id)): during a key rotation, which key is in use.
    ///
    /// ```
    /// fn key(delivery: &highlevel_webhooks::Delivery) -> &str {
    ///     delivery.key_id()
    /// }
    /// ```
    pub fn key_id(&self) -> &str {
        &self.key_id
    }
}
