//! Two processes share a Redis seen-set and are handed the same 200 deliveries at the same
//! moment: each delivery is processed exactly once, counted over both.
//!
//! Its own harness (`harness = false`): the test runs this very binary twice more, as
//! workers (`--worker`), so the two verifiers are real, separate processes.

mod support;

use highlevel_webhooks::{ErrorKind, RedisSeenSet, SignatureHeaders};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use support::redis_server::RedisServer;
use support::{Signer, body};

const TEST: &str = "two_processes_sharing_redis_process_each_delivery_once";
const DELIVERIES: usize = 200;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--worker") {
        return worker(&args[1], &args[2]);
    }
    // Like libtest: a name filter that this test does not match runs nothing; `--list`
    // lists it; other flags are not ours to read.
    if args.iter().any(|a| a == "--list") {
        println!("{TEST}: test");
        return;
    }
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if !filters.is_empty() && !filters.iter().any(|f| TEST.contains(f.as_str())) {
        println!("test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 1 filtered out");
        return;
    }
    println!("running 1 test");
    two_processes_sharing_redis_process_each_delivery_once();
    println!(
        "test {TEST} ... ok\n\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out"
    );
}

fn two_processes_sharing_redis_process_each_delivery_once() {
    let server = RedisServer::start();
    let signer = Signer::new();
    // Half signed with each scheme.
    let deliveries: Vec<serde_json::Value> = (0..DELIVERIES)
        .map(|i| {
            let body = body(&format!("fleet-{i}"));
            let (header, signature) = if i % 2 == 0 {
                ("x-ghl-signature", signer.ed25519_header(&body))
            } else {
                ("x-wh-signature", signer.rsa_header(&body))
            };
            serde_json::json!({
                "header": header,
                "signature": signature,
                "body": String::from_utf8(body).unwrap(),
            })
        })
        .collect();
    let file = std::env::temp_dir().join(format!(
        "highlevel-webhooks-fleet-{}.json",
        std::process::id()
    ));
    std::fs::write(&file, serde_json::to_vec(&deliveries).unwrap()).unwrap();
    let me = std::env::current_exe().unwrap();
    let mut workers: Vec<_> = (0..2)
        .map(|_| {
            Command::new(&me)
                .args(["--worker", &server.url(), file.to_str().unwrap()])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .expect("a worker starts")
        })
        .collect();
    // Each says `ready` once connected; then both are told to go at once.
    let mut outputs: Vec<_> = workers
        .iter_mut()
        .map(|w| BufReader::new(w.stdout.take().unwrap()).lines())
        .collect();
    for output in &mut outputs {
        assert_eq!(output.next().unwrap().unwrap(), "ready");
    }
    for worker in &mut workers {
        worker.stdin.take().unwrap().write_all(b"go\n").unwrap();
    }
    let mut processed: BTreeMap<String, usize> = BTreeMap::new();
    let mut per_worker = Vec::new();
    for output in outputs {
        let mut mine = 0;
        for line in output {
            let line = line.unwrap();
            let id = line
                .strip_prefix("processed ")
                .unwrap_or_else(|| panic!("worker said: {line}"));
            *processed.entry(id.to_string()).or_default() += 1;
            mine += 1;
        }
        per_worker.push(mine);
    }
    for mut worker in workers {
        assert!(worker.wait().unwrap().success(), "a worker failed");
    }
    let _ = std::fs::remove_file(&file);
    assert_eq!(processed.len(), DELIVERIES, "every delivery processed");
    assert!(
        processed.values().all(|n| *n == 1),
        "some processed twice: {processed:?}"
    );
    assert_eq!(
        per_worker.iter().sum::<usize>(),
        DELIVERIES,
        "{per_worker:?}"
    );
    eprintln!("deliveries processed per worker: {per_worker:?}");
}

/// A worker: verifies every delivery of `file` against the seen-set at `url`, printing
/// `processed <webhookId>` for each it gets to process; any refusal but a duplicate fails it.
fn worker(url: &str, file: &str) {
    let deliveries: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let seen = RedisSeenSet::open(url).unwrap();
        let verifier = Signer::new().builder().seen_set(seen).build().unwrap();
        // Connect before the start, so both begin on an equal footing.
        let warm = body("warm-up");
        let _ = verifier
            .verify(&Signer::new().ed25519_only(&warm), &warm)
            .await;
        let mut stdout = std::io::stdout();
        writeln!(stdout, "ready").unwrap();
        stdout.flush().unwrap();
        let mut go = String::new();
        std::io::stdin().read_line(&mut go).unwrap();
        for delivery in &deliveries {
            let body = delivery["body"].as_str().unwrap().as_bytes();
            let header = delivery["header"].as_str().unwrap();
            let signature = delivery["signature"].as_str().unwrap();
            let headers = SignatureHeaders::from_pairs([(header, signature)]);
            match verifier.verify(headers, body).await {
                Ok(delivery) => writeln!(stdout, "processed {}", delivery.webhook_id()).unwrap(),
                Err(error) if error.kind() == ErrorKind::Duplicate => {}
                Err(error) => panic!("refused: {error}"),
            }
        }
        stdout.flush().unwrap();
    });
}
