//! Not a criterion benchmark: the program `cargo xtask instructions` runs under callgrind to
//! count the instructions of one round trip, which unlike time do not depend on what else the
//! machine is doing. `instructions <sdk|unpaced|unvalidated|baseline> <calls>` makes that many
//! sequential create-calendar calls to the benchmarks' loopback server on one thread (client
//! and server both counted). `oauth` is `sdk` with the sub-account's token taken from
//! `OAuthTokens` (stored in memory, not due) instead of a static token. Without arguments (as
//! `cargo bench` runs it) it does nothing.

mod support;

use highlevel_calendars::{Client, Pacing, Validation};
use support::{Baseline, TOKEN};

fn main() {
    // `cargo bench` passes `--bench`; only the positional arguments matter here.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let [mode, calls] = args.as_slice() else {
        return;
    };
    let calls: usize = calls.parse().expect("the number of calls");
    let (runtime, body, url) = support::setup();
    let sdk = |validation, pacing| {
        Client::builder()
            .token(TOKEN)
            .base_url(&url)
            .validation(validation)
            .pacing(pacing)
            .build()
            .unwrap()
    };
    runtime.block_on(async {
        match mode.as_str() {
            "baseline" => {
                let baseline = Baseline::new(&url);
                for _ in 0..calls {
                    baseline.create(&body).await;
                }
            }
            "sdk" | "unvalidated" | "unpaced" => {
                let validation = if mode == "unvalidated" {
                    Validation::off()
                } else {
                    Validation::default()
                };
                let pacing = if mode == "unpaced" {
                    Pacing::off()
                } else {
                    Pacing::default()
                };
                let client = sdk(validation, pacing);
                for _ in 0..calls {
                    let created = client.create_calendar(&body).send().await.unwrap();
                    assert_eq!(created.status, 201);
                }
            }
            "oauth" => {
                let client = Client::builder()
                    .token_provider(support::stored_oauth_token(&body).await)
                    .base_url(&url)
                    .build()
                    .unwrap();
                for _ in 0..calls {
                    let created = client.create_calendar(&body).send().await.unwrap();
                    assert_eq!(created.status, 201);
                }
            }
            other => panic!("unknown mode {other}: sdk, unpaced, unvalidated, oauth or baseline"),
        }
    });
}
