//! One tracing span per call, when the `tracing` feature is on; nothing otherwise.
//!
//! The span records the method, path, status, attempt, duration and HighLevel's `traceId`.
//! It never records the token, and bodies are never logged.

use std::time::Duration;

/// The span of one call.
#[derive(Clone)]
pub(crate) struct CallSpan {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

impl CallSpan {
    pub(crate) fn new(operation: &'static crate::Operation) -> Self {
        let (method, path) = (operation.method, operation.path);
        let operation = operation.id;
        #[cfg(feature = "tracing")]
        {
            CallSpan {
                span: tracing::info_span!(
                    "highlevel",
                    operation,
                    method,
                    path,
                    attempt = tracing::field::Empty,
                    status = tracing::field::Empty,
                    trace_id = tracing::field::Empty,
                    duration_ms = tracing::field::Empty,
                ),
            }
        }
        #[cfg(not(feature = "tracing"))]
        {
            let _ = (operation, method, path);
            CallSpan {}
        }
    }

    /// Runs `future` inside the span.
    pub(crate) async fn run<F: std::future::Future>(&self, future: F) -> F::Output {
        #[cfg(feature = "tracing")]
        {
            use tracing::Instrument;
            future.instrument(self.span.clone()).await
        }
        #[cfg(not(feature = "tracing"))]
        {
            future.await
        }
    }

    pub(crate) fn attempt(&self, attempt: u32) {
        #[cfg(feature = "tracing")]
        self.span.record("attempt", attempt);
        #[cfg(not(feature = "tracing"))]
        let _ = attempt;
    }

    pub(crate) fn response(&self, status: Option<u16>, trace_id: Option<&str>) {
        #[cfg(feature = "tracing")]
        {
            if let Some(status) = status {
                self.span.record("status", status);
            }
            if let Some(trace_id) = trace_id {
                self.span.record("trace_id", trace_id);
            }
        }
        #[cfg(not(feature = "tracing"))]
        let _ = (status, trace_id);
    }

    pub(crate) fn retrying(&self, wait: Duration, reason: &dyn std::fmt::Display) {
        #[cfg(feature = "tracing")]
        self.span.in_scope(|| {
            tracing::warn!(wait_ms = wait.as_millis() as u64, %reason, "retrying");
        });
        #[cfg(not(feature = "tracing"))]
        let _ = (wait, reason);
    }

    pub(crate) fn finish(&self, elapsed: Duration, outcome: Result<(), &dyn std::fmt::Display>) {
        #[cfg(feature = "tracing")]
        {
            self.span.record("duration_ms", elapsed.as_millis() as u64);
            self.span.in_scope(|| match outcome {
                Ok(()) => tracing::info!("call succeeded"),
                Err(error) => tracing::warn!(%error, "call failed"),
            });
        }
        #[cfg(not(feature = "tracing"))]
        let _ = (elapsed, outcome);
    }
}
