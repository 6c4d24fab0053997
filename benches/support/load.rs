//! Sustained load through the SDK against the `highlevel-sandbox` program running as a process
//! of its own: `calls` calls with `in_flight` at a time, each task going round create, get,
//! update and delete of one calendar (so the server's store stays small and every call does
//! real work). Shared by `benches/load.rs` (100,000 calls) and `tests/load.rs` (10,000).
//!
//! RSS and descriptors are read from `/proc` (Linux only); the bytes the process holds are
//! counted by this module's global allocator, which passes every call on to the system's.

use highlevel_calendars::types::CalendarUpdateDto;
use highlevel_calendars::{Client, Pacing, calendar};
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The system allocator, counting the bytes this process holds, so that what the client keeps
/// can be told apart from what the allocator has not handed back to the kernel (RSS).
struct CountingAllocator;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to `System` unchanged; only a counter is added.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE_BYTES.fetch_add(new_size, Ordering::Relaxed);
            LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// The bytes this process holds now, in kiB.
fn held_kib() -> u64 {
    (LIVE_BYTES.load(Ordering::Relaxed) / 1024) as u64
}

/// RSS samples are taken every this many calls.
const SAMPLE_EVERY: usize = 1_000;
/// The windows whose memory is compared: the first, the second and the last this many calls.
pub const WINDOW: usize = 10_000;

/// What one run measured. The bench prints all of it; the test reads what it asserts.
#[derive(Debug)]
#[allow(dead_code)]
pub struct Figures {
    pub calls: usize,
    pub in_flight: usize,
    pub errors: usize,
    pub first_error: Option<String>,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p99: Duration,
    pub client_peak_rss_kib: u64,
    pub server_peak_rss_kib: u64,
    pub fds_before: usize,
    pub fds_during: usize,
    pub fds_after: usize,
    /// Bytes the process held before the client was built, and after it and its runtime were
    /// dropped (kiB).
    pub heap_before_kib: u64,
    pub heap_after_kib: u64,
    /// The client's RSS.
    pub rss: Windows,
    /// The bytes the client's process held (allocated, not yet freed).
    pub heap: Windows,
    /// What the client held every [`SAMPLE_EVERY`] calls.
    pub samples: Vec<Sample>,
}

/// The client's memory and descriptors after a number of calls.
#[derive(Debug, Clone, Copy)]
#[allow(dead_code)] // read by the bench only
pub struct Sample {
    pub calls: usize,
    pub rss_kib: u64,
    pub rss_anon_kib: u64,
    pub heap_kib: u64,
    pub fds: usize,
}

impl Sample {
    fn now(calls: usize) -> Sample {
        Sample {
            calls,
            rss_kib: status_kib("self", "VmRSS:"),
            rss_anon_kib: status_kib("self", "RssAnon:"),
            heap_kib: held_kib(),
            fds: open_fds(),
        }
    }
}

/// Means of one memory figure (kiB) over the first, the second and the last [`WINDOW`] calls.
/// The second shows whether what the first-to-last drift measures is warm-up or growth.
#[derive(Debug, Clone, Copy)]
pub struct Windows {
    pub first: u64,
    /// `None` when the run was too short to have a second window.
    pub second: Option<u64>,
    pub last: u64,
}

impl Windows {
    fn of(samples: &[Sample], calls: usize, figure: fn(&Sample) -> u64) -> Windows {
        let mean = |from: usize, to: usize| {
            let picked: Vec<u64> = samples
                .iter()
                .filter(|s| s.calls > from && s.calls <= to)
                .map(figure)
                .collect();
            (!picked.is_empty()).then(|| picked.iter().sum::<u64>() / picked.len() as u64)
        };
        Windows {
            first: mean(0, WINDOW).unwrap_or(0),
            second: mean(WINDOW, 2 * WINDOW).filter(|_| calls >= 3 * WINDOW),
            last: mean(calls.saturating_sub(WINDOW), calls).unwrap_or(0),
        }
    }

    /// The last window over the first, less one: `0.1` is 10 % more.
    pub fn drift(&self) -> f64 {
        self.last as f64 / self.first.max(1) as f64 - 1.0
    }

    /// The last window over the second, less one.
    pub fn drift_after_warm_up(&self) -> Option<f64> {
        Some(self.last as f64 / self.second?.max(1) as f64 - 1.0)
    }
}

impl std::fmt::Display for Windows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mib = |kib: u64| format!("{:.1}", kib as f64 / 1024.0);
        let second = self.second.map_or("–".to_string(), mib);
        let (first, last) = (mib(self.first), mib(self.last));
        write!(
            f,
            "{first} / {second} / {last} MiB ({:+.1} %",
            self.drift() * 100.0
        )?;
        if let Some(drift) = self.drift_after_warm_up() {
            write!(f, "; {:+.1} % from the second", drift * 100.0)?;
        }
        write!(f, ")")
    }
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rate = self.calls as f64 / self.elapsed.as_secs_f64();
        writeln!(f, "| measure | value |\n| --- | --- |")?;
        writeln!(
            f,
            "| calls, in flight | {} at {} ({:.1} s, {rate:.0} calls/s) |",
            self.calls,
            self.in_flight,
            self.elapsed.as_secs_f64()
        )?;
        writeln!(f, "| errors | {} |", self.errors)?;
        writeln!(
            f,
            "| latency p50, p99 | {:.2?}, {:.2?} |",
            self.p50, self.p99
        )?;
        writeln!(
            f,
            "| peak RSS, client / server | {:.1} MiB / {:.1} MiB |",
            self.client_peak_rss_kib as f64 / 1024.0,
            self.server_peak_rss_kib as f64 / 1024.0
        )?;
        let windows = format!("first / second / last {WINDOW} calls (mean)");
        writeln!(f, "| client RSS, {windows} | {} |", self.rss)?;
        writeln!(f, "| client heap held, {windows} | {} |", self.heap)?;
        writeln!(
            f,
            "| heap held before the client / after it was dropped | {} kiB / {} kiB |",
            self.heap_before_kib, self.heap_after_kib
        )?;
        write!(
            f,
            "| client file descriptors, before / at the end / client dropped | {} / {} / {} |",
            self.fds_before, self.fds_during, self.fds_after
        )
    }
}

/// Open descriptors of this process.
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |dir| dir.count())
}

/// A `Vm…:` figure (kiB) of `/proc/<pid>/status`.
fn status_kib(pid: &str, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0)
}

/// The sandbox program with limits lifted, stopped with SIGTERM when dropped.
struct Server(Child);

impl Server {
    fn start() -> (Server, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_highlevel-sandbox"))
            .args([
                "--rate-limit",
                "1000000000/1s",
                "--daily-limit",
                "1000000000000",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null()) // a line per request, unread
            .spawn()
            .expect("the sandbox program starts");
        let mut url = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut url)
            .unwrap(); // returns once it listens
        (Server(child), url.trim().to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

/// Shared by the tasks of one run.
struct Tally {
    tickets: AtomicUsize,
    done: AtomicUsize,
    calls: usize,
    in_flight: usize,
    errors: Mutex<(usize, Option<String>)>,
    samples: Mutex<Vec<Sample>>,
    /// One latency per call (nanoseconds), by ticket. Allocated and written once before the
    /// run, so that what the measurement keeps does not show as the client's memory growing.
    latencies: Vec<AtomicU64>,
}

impl Tally {
    fn new(calls: usize, in_flight: usize) -> Tally {
        let latencies: Vec<AtomicU64> = (0..calls).map(|_| AtomicU64::new(0)).collect();
        Tally {
            tickets: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            calls,
            in_flight,
            errors: Mutex::new((0, None)),
            samples: Mutex::new(Vec::with_capacity(calls / SAMPLE_EVERY + 1)),
            latencies,
        }
    }

    /// Takes a ticket for one more call, if any is left.
    fn ticket(&self) -> Option<usize> {
        let ticket = self.tickets.fetch_add(1, Ordering::Relaxed);
        (ticket < self.calls).then_some(ticket)
    }

    fn finished<T, E: std::fmt::Display>(
        &self,
        ticket: usize,
        took: Duration,
        result: &Result<T, E>,
    ) {
        self.latencies[ticket].store(took.as_nanos() as u64, Ordering::Relaxed);
        if let Err(e) = result {
            let mut errors = self.errors.lock().unwrap();
            errors.0 += 1;
            errors.1.get_or_insert_with(|| e.to_string());
        }
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        // Within the last `in_flight` calls tasks run out of tickets and end, so the memory
        // would show the run winding down rather than under load: no sample is taken there.
        if done.is_multiple_of(SAMPLE_EVERY) && done + self.in_flight <= self.calls {
            let sample = Sample::now(done);
            self.samples.lock().unwrap().push(sample);
        }
    }
}

/// One task: create, get, update, delete, again, while tickets last.
async fn task(client: Client, tally: Arc<Tally>, n: usize) {
    let rename: CalendarUpdateDto = serde_json::from_str(r#"{"name": "renamed"}"#).unwrap();
    'rounds: for round in 0.. {
        macro_rules! timed {
            ($call:expr) => {{
                let Some(ticket) = tally.ticket() else {
                    break 'rounds;
                };
                let started = Instant::now();
                let result = $call.await;
                tally.finished(ticket, started.elapsed(), &result);
                result
            }};
        }
        let body = calendar::event("load", format!("task {n} round {round}"));
        let Ok(created) = timed!(client.create_calendar(body).send()) else {
            continue;
        };
        let id = created.calendar.id.clone();
        let _ = timed!(client.get_calendar(id.as_str()).send());
        let _ = timed!(client.update_calendar(id.as_str(), rename.clone()).send());
        let _ = timed!(client.delete_calendar(id.as_str()).send());
    }
}

/// Runs `calls` calls with `in_flight` at a time and measures them.
pub fn run(calls: usize, in_flight: usize) -> Figures {
    highlevel_calendars::install_tls_provider();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (server, url) = Server::start();
    let fds_before = open_fds();
    let tally = Arc::new(Tally::new(calls, in_flight));
    let heap_before_kib = held_kib();
    let started = Instant::now();
    let fds_during = runtime.block_on(async {
        let client = Client::builder()
            .base_url(&url)
            .token("pit-load-token")
            .pacing(Pacing::off())
            .build()
            .unwrap();
        let tasks: Vec<_> = (0..in_flight)
            .map(|n| tokio::spawn(task(client.clone(), tally.clone(), n)))
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        let fds_during = open_fds();
        drop(client);
        // The pool's connections close as their tasks notice the client is gone: give them
        // a bounded number of turns rather than a fixed wait.
        for _ in 0..200 {
            if open_fds() <= fds_before {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        fds_during
    });
    let elapsed = started.elapsed();
    drop(runtime);
    let fds_after = open_fds();
    let heap_after_kib = held_kib();
    let server_peak_rss_kib = status_kib(&server.0.id().to_string(), "VmHWM:");
    drop(server);
    let done = tally.done.load(Ordering::Relaxed);
    let mut latencies: Vec<Duration> = tally.latencies[..done]
        .iter()
        .map(|l| Duration::from_nanos(l.load(Ordering::Relaxed)))
        .collect();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    let samples = tally.samples.lock().unwrap().clone();

    let (errors, first_error) = tally.errors.lock().unwrap().clone();
    Figures {
        calls: done,
        in_flight,
        errors,
        first_error,
        elapsed,
        p50: at(0.50),
        p99: at(0.99),
        client_peak_rss_kib: status_kib("self", "VmHWM:"),
        server_peak_rss_kib,
        fds_before,
        fds_during,
        fds_after,
        heap_before_kib,
        heap_after_kib,
        rss: Windows::of(&samples, done, |s| s.rss_kib),
        heap: Windows::of(&samples, done, |s| s.heap_kib),
        samples,
    }
}
