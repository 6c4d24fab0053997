//! The HTTP driver: one keep-alive client, a fixed number of calls with a fixed number in
//! flight, each call timed from sending to the last byte of its answer. The same driver runs
//! against both servers, so what it costs weighs on both figures alike.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Makes call number `n` (each call may differ, such as a new slug per create).
pub type MakeRequest =
    Arc<dyn Fn(&reqwest::Client, usize) -> reqwest::RequestBuilder + Send + Sync>;

/// What one run of calls measured.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub calls: usize,
    pub elapsed: Duration,
    /// The latency of every call answered 2xx, sorted.
    pub latencies: Vec<Duration>,
    /// Answers with another status.
    pub non_2xx: usize,
    /// Calls with no answer (connection refused or dropped, body cut short).
    pub failed: usize,
    /// The first non-2xx status and body, or transport error, for the report.
    pub first_problem: Option<String>,
}

impl Run {
    /// 2xx answers a second.
    pub fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The latency at or below which `q` (0..=1) of the 2xx calls fall (nearest rank).
    pub fn quantile(&self, q: f64) -> Option<Duration> {
        let len = self.latencies.len();
        let rank = ((len as f64) * q).ceil() as usize;
        self.latencies.get(rank.clamp(1, len.max(1)) - 1).copied()
    }
}

/// What one in-flight slot saw.
#[derive(Default)]
struct Slot {
    latencies: Vec<Duration>,
    non_2xx: usize,
    failed: usize,
    first_problem: Option<String>,
}

/// Makes `calls` calls with `make`, `in_flight` at a time, on `client`.
pub async fn drive(
    client: &reqwest::Client,
    make: &MakeRequest,
    calls: usize,
    in_flight: usize,
) -> Run {
    let tickets = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let slots: Vec<_> = (0..in_flight.max(1))
        .map(|_| {
            let (client, make, tickets) = (client.clone(), make.clone(), tickets.clone());
            tokio::spawn(async move {
                let mut slot = Slot::default();
                loop {
                    let n = tickets.fetch_add(1, Ordering::Relaxed);
                    if n >= calls {
                        break slot;
                    }
                    one_call(&mut slot, make(&client, n)).await;
                }
            })
        })
        .collect();
    let mut run = Run {
        calls,
        ..Run::default()
    };
    for slot in slots {
        let slot = slot.await.expect("a driver task panicked");
        run.latencies.extend(slot.latencies);
        run.non_2xx += slot.non_2xx;
        run.failed += slot.failed;
        run.first_problem = run.first_problem.or(slot.first_problem);
    }
    run.elapsed = started.elapsed();
    run.latencies.sort_unstable();
    run
}

async fn one_call(slot: &mut Slot, request: reqwest::RequestBuilder) {
    let started = Instant::now();
    let answer = match request.send().await {
        Ok(response) => {
            let status = response.status();
            response.bytes().await.map(|body| (status, body))
        }
        Err(e) => Err(e),
    };
    let took = started.elapsed();
    match answer {
        Ok((status, _)) if status.is_success() => slot.latencies.push(took),
        Ok((status, body)) => {
            slot.non_2xx += 1;
            slot.first_problem.get_or_insert_with(|| {
                let body = String::from_utf8_lossy(&body);
                let body: String = body.chars().take(300).collect();
                format!("{status}: {body}")
            });
        }
        Err(e) => {
            slot.failed += 1;
            slot.first_problem.get_or_insert_with(|| e.to_string());
        }
    }
}
