//! Webhooks the sandbox sends, as HighLevel does, once
//! [`SandboxBuilder::webhook_url`](crate::SandboxBuilder::webhook_url) names the app's
//! endpoint.
//!
//! Each delivery is a `POST` of JSON (`Content-Type: application/json`): the event's fields
//! (`type`, `locationId`, …) with a `timestamp` (RFC 3339, UTC, milliseconds) and a fresh
//! `webhookId` (a random UUID). It is signed over the exact bytes sent with both of
//! HighLevel's schemes: `x-ghl-signature` (Ed25519) and `x-wh-signature` (RSA PKCS#1 v1.5
//! SHA-256), base64, by the sandbox's own keys, which
//! [`Sandbox::webhook_public_keys`](crate::Sandbox::webhook_public_keys) (and, for the
//! program, `GET /_sandbox/webhooks/keys`) gives the app under test to trust.
//!
//! What is sent:
//!
//! - for each [`WebhookTrigger`] a client crate configures, its event after every successful
//!   call of its operation;
//! - with [`oauth`](crate::oauth) on, `INSTALL` when the consent endpoint installs the app
//!   (the install takes effect there, before any code exchange): `{"type": "INSTALL",
//!   "appId", "companyId", "locationId", "userId"}` for a sub-account, without `locationId`
//!   and `userId` for an agency install; and `UNINSTALL` (`{"type": "UNINSTALL", "appId",
//!   "companyId", "locationId"}`) when [`Sandbox::oauth_uninstall`](crate::Sandbox::oauth_uninstall)
//!   or `POST /_sandbox/oauth/revoke {"locationId"}` uninstalls an installed sub-account.
//!
//! Sending never holds up an answer: see the `sender` module for the queue and the retries.
//! [`Fault::WebhookTwice`](crate::Fault::WebhookTwice) and
//! [`Fault::WebhookLate`](crate::Fault::WebhookLate) make the next request's webhook come
//! twice or late.

mod clock;
mod sender;
mod signer;
mod trigger;

pub use signer::WebhookPublicKeys;
pub use trigger::WebhookTrigger;

use crate::resources::Call;
use sender::{Outgoing, Sender};
use serde_json::{Map, Value};
use signer::Signer;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// The sandbox-only path serving [`WebhookPublicKeys::to_json`].
pub(crate) const KEYS_PATH: &str = "/_sandbox/webhooks/keys";
/// Objects remembered for later events about the same id, at most.
const MAX_REMEMBERED: usize = 10_000;

/// What a fault does to the webhook of the request it meets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WebhookFault {
    Twice,
    Late(Duration),
}

/// Who made an answer, which decides how much its object is worth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Answered {
    /// A client's [`Resources`](crate::Resources): the state as it is now.
    ByState,
    /// The document's example or schema: values made up, older than anything remembered.
    FromDocument,
}

/// A sandbox's webhook side.
#[derive(Debug)]
pub(crate) struct Webhooks {
    signer: Signer,
    triggers: Vec<WebhookTrigger>,
    /// `None` without a URL: nothing is sent.
    sender: Option<Sender>,
    /// The last object each event carried, by id.
    remembered: Mutex<BTreeMap<String, Map<String, Value>>>,
}

impl Webhooks {
    /// Starts sending to `url` (an `http` URL) when there is one. Within a Tokio runtime.
    pub(crate) fn start(
        url: Option<&str>,
        triggers: Vec<WebhookTrigger>,
    ) -> std::io::Result<Webhooks> {
        use std::io::{Error, ErrorKind};
        let signer =
            Signer::new().ok_or_else(|| Error::other("cannot make the webhook signing key"))?;
        let sender = match url {
            None => None,
            Some(text) => {
                let url = url::Url::parse(text)
                    .ok()
                    .filter(|u| u.scheme() == "http" && u.host_str().is_some())
                    .ok_or_else(|| {
                        Error::new(
                            ErrorKind::InvalidInput,
                            format!("webhook URL {text:?}: expected an http:// URL"),
                        )
                    })?;
                Some(Sender::start(url))
            }
        };
        Ok(Webhooks {
            signer,
            triggers,
            sender,
            remembered: Mutex::new(BTreeMap::new()),
        })
    }

    pub(crate) fn public_keys(&self) -> &WebhookPublicKeys {
        self.signer.public_keys()
    }

    /// Whether deliveries are sent at all.
    pub(crate) fn enabled(&self) -> bool {
        self.sender.is_some()
    }

    /// Sends the event of `call`'s operation, if one is configured, after its successful
    /// `reply`. See [`WebhookTrigger`] for how the object is made.
    pub(crate) fn after_call(
        &self,
        call: &Call<'_>,
        reply: &crate::Reply,
        answered: Answered,
        fault: Option<WebhookFault>,
    ) {
        if !self.enabled() || !reply.status.is_success() {
            return;
        }
        let id = call.operation().id;
        let Some(trigger) = self.triggers.iter().find(|t| t.operation_id() == id) else {
            return;
        };
        let answer: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
        let answer = match trigger.object_in(&answer) {
            Some(Value::Object(fields)) => fields.clone(),
            _ => Map::new(),
        };
        let mut object = Map::new();
        if let Some(name) = trigger.id_param_name() {
            object.insert("id".into(), Value::String(call.param(name).to_string()));
        }
        let object_id = object
            .get("id")
            .or_else(|| answer.get("id"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut remembered = crate::lock(&self.remembered);
        let before = object_id
            .as_ref()
            .and_then(|id| remembered.remove(id))
            .unwrap_or_default();
        // Later layers win: what is newest and surest last.
        let layers = match answered {
            Answered::ByState => [before, answer],
            Answered::FromDocument => [answer, before],
        };
        let mut merged = Map::new();
        for layer in layers {
            merged.extend(layer);
        }
        if let Some(Value::Object(fields)) = call.body() {
            merged.extend(fields.clone());
        }
        merged.extend(object);
        let object = merged;
        if let Some(object_id) = object_id
            && !trigger.ends()
        {
            if remembered.len() >= MAX_REMEMBERED {
                remembered.pop_first();
            }
            remembered.insert(object_id, object.clone());
        }
        drop(remembered);
        let location = object.get("locationId").cloned().or_else(|| {
            call.query()
                .iter()
                .find(|(name, _)| name == "locationId")
                .map(|(_, value)| Value::String(value.clone()))
        });
        let mut event = Map::new();
        event.insert("type".into(), Value::String(trigger.event_type().into()));
        if let Some(location) = location {
            event.insert("locationId".into(), location);
        }
        event.insert(trigger.object_field().into(), Value::Object(object));
        self.send(event, fault);
    }

    /// Signs and queues `event` (which has its `type`) with a `timestamp` and a new
    /// `webhookId`.
    pub(crate) fn send(&self, mut event: Map<String, Value>, fault: Option<WebhookFault>) {
        let Some(sender) = &self.sender else {
            return;
        };
        let Some(webhook_id) = uuid() else {
            eprintln!("sandbox: no webhook sent: the system's random source failed");
            return;
        };
        let timestamp = clock::rfc3339_millis(SystemTime::now());
        event.insert("timestamp".into(), Value::String(timestamp));
        event.insert("webhookId".into(), Value::String(webhook_id.clone()));
        let event_type = event
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let body = Value::Object(event).to_string().into_bytes();
        let Some(signatures) = self.signer.sign(&body) else {
            eprintln!("sandbox: webhook {event_type} {webhook_id} not sent: signing failed");
            return;
        };
        sender.send(Outgoing {
            body: body.into(),
            signatures,
            event_type,
            webhook_id,
            delay: match fault {
                Some(WebhookFault::Late(delay)) => Some(delay),
                _ => None,
            },
            copies: if fault == Some(WebhookFault::Twice) {
                2
            } else {
                1
            },
        });
    }
}

/// A random (version 4) UUID such as `0b1c…-…`, from the system's random source.
fn uuid() -> Option<String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).ok()?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|byte| format!("{byte:02x}")).collect();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn webhook_ids_are_uuids_and_differ() {
        let (a, b) = (super::uuid().unwrap(), super::uuid().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4", "{a}");
    }
}
