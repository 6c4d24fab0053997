//! Failures the sandbox can act out, for testing how code copes with a misbehaving server.

use crate::webhooks::WebhookFault;
use std::collections::VecDeque;
use std::time::Duration;

/// A failure the sandbox acts out on one request, queued with
/// [`Sandbox::inject`](crate::Sandbox::inject) or
/// [`SandboxBuilder::fault`](crate::SandboxBuilder::fault).
///
/// Two kinds exist. [`Status`](Fault::Status) and [`DropConnection`](Fault::DropConnection)
/// stand for a failure in front of HighLevel's application (a proxy, the network): the request
/// is not handled and nothing is created. [`Delay`](Fault::Delay),
/// [`MalformedBody`](Fault::MalformedBody) and [`TruncatedBody`](Fault::TruncatedBody) spoil
/// the answer of a request that *was* handled: the calendar exists even though the client may
/// not learn it, which is the case `highlevel_runtime::Error`'s docs warn about.
/// [`WebhookTwice`](Fault::WebhookTwice) and [`WebhookLate`](Fault::WebhookLate) leave the
/// answer alone and spoil the webhook the request sends (see [`webhooks`](crate::webhooks)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Handles the request, then waits this long before answering.
    Delay(Duration),
    /// Answers this status (meant for 5xx) without handling the request: 502, 503 and 504
    /// with an HTML page, as a proxy sends them; any other with HighLevel's JSON error body.
    Status(u16),
    /// Reads the whole request, then closes the connection without answering.
    DropConnection,
    /// Handles the request and answers with its usual status and headers, but a body that is
    /// not JSON.
    MalformedBody,
    /// Handles the request and answers with its usual status and headers, but only the first
    /// half of the JSON body (the HTTP message itself is complete).
    TruncatedBody,
    /// Handles the request as usual, and delivers the webhook it sends (if any) twice: the
    /// same body, signatures and `webhookId`, as a sender retrying after a lost answer does.
    WebhookTwice,
    /// Handles the request as usual, and delivers the webhook it sends (if any) this long
    /// after, with the `timestamp` of when the request was handled.
    WebhookLate(Duration),
}

/// Faults waiting for requests, first in first out.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    pending: VecDeque<Fault>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, fault: Fault, times: usize) {
        self.pending.extend(std::iter::repeat_n(fault, times));
    }

    /// The fault for the request that just arrived, if any.
    pub(crate) fn next(&mut self) -> Option<Fault> {
        self.pending.pop_front()
    }

    pub(crate) fn clear(&mut self) {
        self.pending.clear();
    }

    pub(crate) fn len(&self) -> usize {
        self.pending.len()
    }
}

/// What `fault` does to the webhook of its request, if it is a webhook fault.
pub(crate) fn webhook_of(fault: Option<&Fault>) -> Option<WebhookFault> {
    match fault {
        Some(Fault::WebhookTwice) => Some(WebhookFault::Twice),
        Some(Fault::WebhookLate(delay)) => Some(WebhookFault::Late(*delay)),
        _ => None,
    }
}

/// Whether a proxy, not HighLevel's application, typically sends `status`.
pub(crate) fn is_gateway_status(status: u16) -> bool {
    matches!(status, 502..=504)
}

/// The kind of page a proxy answers a gateway status with.
pub(crate) fn gateway_page(status: u16, reason: &str) -> String {
    format!(
        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n\
         <center><h1>{status} {reason}</h1></center>\r\n</body>\r\n</html>\r\n"
    )
}

/// A body that starts like JSON and stops being it.
pub(crate) const MALFORMED_BODY: &[u8] = b"{\"calendar\": {\"id\": <!-- upstream error -->";

/// The first half of `body`.
pub(crate) fn truncate(body: &[u8]) -> Vec<u8> {
    body[..body.len() / 2].to_vec()
}

/// How long a delay fault holds the answer, if `fault` is one.
pub(crate) fn delay_of(fault: Option<&Fault>) -> Option<Duration> {
    match fault {
        Some(Fault::Delay(wait)) => Some(*wait),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_come_out_in_order() {
        let mut queue = FaultQueue::default();
        queue.push(Fault::Status(503), 2);
        queue.push(Fault::DropConnection, 1);
        assert_eq!(queue.len(), 3);
        assert_eq!(queue.next(), Some(Fault::Status(503)));
        assert_eq!(queue.next(), Some(Fault::Status(503)));
        assert_eq!(queue.next(), Some(Fault::DropConnection));
        assert_eq!(queue.next(), None);
    }

    #[test]
    fn only_webhook_faults_change_webhooks() {
        let late = Fault::WebhookLate(Duration::from_millis(5));
        assert_eq!(
            webhook_of(Some(&late)),
            Some(WebhookFault::Late(Duration::from_millis(5)))
        );
        assert_eq!(
            webhook_of(Some(&Fault::WebhookTwice)),
            Some(WebhookFault::Twice)
        );
        assert_eq!(webhook_of(Some(&Fault::Status(502))), None);
        assert_eq!(webhook_of(None), None);
    }

    #[test]
    fn spoiled_bodies_are_not_json() {
        assert!(serde_json::from_slice::<serde_json::Value>(MALFORMED_BODY).is_err());
        let whole = br#"{"calendar":{"id":"x","name":"y"}}"#;
        let cut = truncate(whole);
        assert!(serde_json::from_slice::<serde_json::Value>(&cut).is_err());
        assert!(whole.starts_with(&cut));
    }
}
