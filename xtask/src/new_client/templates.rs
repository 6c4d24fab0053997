//! The files of a crate made by `new-client`, other than the pipeline's.

use std::path::Path;

/// The versions the workspace's own client uses; a new crate starts from the same.
const PROGENITOR_CLIENT: &str = "0.15.1";

/// The version of this workspace's crates (runtime, codegen, sandbox) a new crate names.
const WORKSPACE_CRATES: &str = "0.1.0";

/// `openapi/pipeline.toml`: every operation listed, so that dropping one later is a one-line
/// change.
pub fn pipeline_toml(upstream: &str, output: &str, operations: &[String]) -> String {
    let listed: String = operations
        .iter()
        .map(|id| format!("    \"{id}\",\n"))
        .collect();
    format!(
        r#"# What the generation pipeline produces (see the workspace README, "How the client is made").
# Read by every `cargo xtask spec` command; build.rs reads only the normalized document, `output`.

# HighLevel's document as published, relative to this file, inside upstream/ (with PROVENANCE.toml).
upstream = "{upstream}"

# The normalized document, relative to this file.
output = "{output}"

# operationIds to keep; every other operation is dropped.
operations = [
{listed}]

# Names of the Rust enums made from inline string enums, keyed by "Schema.property". Unlisted
# enums are named after their property; two different enums that would get the same name are
# named after schema and property instead (`spec normalize` lists them): name them here.
[enum_names]
"#
    )
}

/// `Cargo.toml`: this workspace's crates by their published version, and, when `checkout` is
/// given, a `[patch.crates-io]` that takes them from that checkout instead (by its absolute
/// path, so the crate builds wherever its folder is moved on the machine).
pub fn cargo_toml(name: &str, title: &str, checkout: Option<&Path>) -> String {
    let patch = checkout.map(patch_section).unwrap_or_default();
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
rust-version = "1.88"
description = "Typed async client for HighLevel's {title}, generated from HighLevel's OpenAPI document"
license = "MIT OR Apache-2.0"
publish = false

# A workspace of its own, wherever the folder is.
[workspace]

[features]
# `{krate}::sandbox`: an in-process stand-in for this API, for your own tests.
sandbox = ["dep:highlevel-sandbox"]

[dependencies]
bytes = "1"
highlevel-runtime = "{WORKSPACE_CRATES}"
highlevel-sandbox = {{ version = "{WORKSPACE_CRATES}", optional = true }}
progenitor-client = "{PROGENITOR_CLIENT}"
# typify checks string `pattern`s with regress in the types it generates.
regress = "0.12"
reqwest = {{ version = "0.13", default-features = false, features = ["json", "query", "stream"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"

[build-dependencies]
highlevel-codegen = "{WORKSPACE_CRATES}"

[dev-dependencies]
# The crate's own tests use its sandbox.
{name} = {{ path = ".", features = ["sandbox"] }}
tokio = {{ version = "1", features = ["macros", "rt"] }}
{patch}"#,
        krate = name.replace('-', "_"),
    )
}

/// The `[patch.crates-io]` section that builds against the checkout at `checkout`.
fn patch_section(checkout: &Path) -> String {
    let crates = checkout.join("crates");
    let crates = crates.to_string_lossy().replace('\\', "/");
    format!(
        r#"
# This machine's checkout of highlevel-calendars instead of crates.io (`new-client` writes it;
# `new-client --published` does not). Delete it to build against the published crates.
[patch.crates-io]
highlevel-runtime = {{ path = "{crates}/highlevel-runtime" }}
highlevel-codegen = {{ path = "{crates}/highlevel-codegen" }}
highlevel-sandbox = {{ path = "{crates}/highlevel-sandbox" }}
"#
    )
}

/// `build.rs`: the generator, with the example caller the crate's test needs compiled in.
pub fn build_rs(stem: &str) -> String {
    format!(
        r#"//! Generates the client from the normalized document (see `highlevel-codegen`).

fn main() {{
    let options = highlevel_codegen::Options::default().examples_always(true);
    highlevel_codegen::build_script_with("openapi/{stem}.json", &options);
}}
"#
    )
}

/// `src/lib.rs`: the generated code and re-exports of the runtime; nothing hand-written runs.
pub fn lib_rs(title: &str) -> String {
    format!(
        r#"//! Typed async client for HighLevel's {title}, generated from HighLevel's OpenAPI document
//! (`openapi/`) on `highlevel-runtime`: every call takes its sub-account's rate budget, sends
//! the operation's `Version` header, retries what is safe to retry and returns
//! `highlevel_runtime::Error` with HighLevel's message and `traceId`.
#![forbid(unsafe_code)]

/// The client progenitor generates (see `build.rs`); never edited by hand.
mod generated {{
    #![allow(
        missing_docs,
        unused_imports,
        private_interfaces,
        clippy::all,
        clippy::pedantic
    )]
    include!(concat!(env!("OUT_DIR"), "/codegen.rs"));
}}

#[doc(hidden)]
pub use generated::api::__examples;
pub use generated::api::Client;

#[cfg(feature = "sandbox")]
pub mod sandbox;
pub use highlevel_runtime::{{
    ApiError, DecodeError, Error, Number, Operation, Pacing, RateLimit, Response, RetryPolicy,
    Validation, ValidationError,
}};

/// Configures a [`Client`]: `Client::builder()`, or `highlevel_runtime::EnvSettings`.
pub type ClientBuilder = highlevel_runtime::ClientBuilder<Client>;

/// One request type per operation.
pub mod requests {{
    pub use crate::generated::api::requests::*;
}}

/// The document's schemas as Rust types.
pub mod types {{
    pub use crate::generated::types::*;
}}

/// The document's string enums, open to values added later.
pub mod enums {{
    pub use crate::generated::enums::*;
}}

/// Each operation's id, method, path, `Version` and scopes, and the body checker.
pub mod operations {{
    pub use crate::generated::operations::*;
}}
"#
    )
}

/// `src/sandbox.rs`: the crate's API served by the schema-driven sandbox (feature `sandbox`).
pub fn sandbox_rs(title: &str, name: &str, stem: &str) -> String {
    let krate = name.replace('-', "_");
    format!(
        r#"//! An in-process stand-in for HighLevel's {title} (feature `sandbox`), for your own tests: it
//! serves every operation of this crate's document on a free loopback port, checks each
//! request as the client does (token, `Version`, parameters, body) and answers what the
//! document describes. Faults ([`Fault`]) make it misbehave on purpose.
//!
//! ```no_run
//! use {krate}::sandbox::{{API, Sandbox}};
//! use {krate}::Client;
//!
//! # async fn run() -> std::io::Result<()> {{
//! let sandbox = Sandbox::builder(API).start().await?; // stops when dropped
//! let client: Client = sandbox.client_builder().build().expect("a client");
//! # Ok(()) }}
//! ```

pub use highlevel_sandbox::{{Fault, ReceivedRequest, Sandbox, SandboxBuilder}};

/// This crate's API for [`Sandbox::builder`]: its normalized document, its operations and the
/// client's own body checker.
pub const API: highlevel_sandbox::Api = highlevel_sandbox::Api::new(
    include_str!("../openapi/{stem}.json"),
    crate::operations::ALL,
    crate::operations::check_body,
);
"#
    )
}

/// `tests/every_operation.rs`: every operation through the client against the sandbox.
pub fn every_operation_test(name: &str) -> String {
    let krate = name.replace('-', "_");
    format!(
        r#"//! Every operation of the document, called through this crate's `Client` with example
//! arguments made from the document, against the schema-driven sandbox serving the same
//! document: each call must be sent as the document describes and its answer must decode.

use std::time::Duration;
use {krate}::sandbox::{{API, Sandbox}};
use {krate}::{{__examples, Client, operations}};

#[tokio::test]
async fn every_operation_succeeds_against_the_sandbox() {{
    // Each operation once with made-up ids: answered from the document, not from kept
    // resources (which would answer 404 for an id never created).
    let sandbox = Sandbox::builder(API)
        .rate_limit(100_000, Duration::from_secs(10))
        .keep_resources(false)
        .start()
        .await
        .expect("the sandbox starts");
    let client: Client = sandbox.client_builder().build().expect("a client");
    let mut failures = Vec::new();
    for operation in operations::ALL {{
        let Some(example) = API.example_request(operation.id) else {{
            failures.push(format!("{{}}: no example request", operation.id));
            continue;
        }};
        match __examples::call(&client, operation.id, &example).await {{
            Some(Ok(())) => {{}}
            Some(Err(error)) => failures.push(format!("{{}}: {{error}}", operation.id)),
            None => failures.push(format!("{{}}: the client has no such operation", operation.id)),
        }}
    }}
    assert!(
        failures.is_empty(),
        "{{}} of {{}} operations failed:\n{{}}",
        failures.len(),
        operations::ALL.len(),
        failures.join("\n")
    );
    assert_eq!(sandbox.requests_received(), operations::ALL.len(), "one request each");
    for (request, operation) in sandbox.requests().iter().zip(operations::ALL) {{
        assert_eq!(request.method, operation.method, "{{}}", operation.id);
        assert_eq!(request.header("version"), Some(operation.version), "{{}}", operation.id);
    }}
}}
"#
    )
}

/// `README.md`.
pub fn readme(name: &str, title: &str, from: &str, operations: usize) -> String {
    let krate = name.replace('-', "_");
    format!(
        r#"# {name}

Typed async client for HighLevel's {title} ({operations} operations), generated by
`cargo xtask new-client` from `{from}`.

- `openapi/upstream/`: the document as published, with `PROVENANCE.toml`.
- `openapi/pipeline.toml`: which operations, enum names. After a change, run the workspace's
  `cargo xtask spec normalize` for this folder.
- `build.rs` generates the client from the normalized document; `src/lib.rs` only re-exports.
- `cargo test` calls every operation against the schema-driven sandbox.
- The `sandbox` feature gives `{krate}::sandbox`, the same sandbox for your own tests:
  `Sandbox::builder({krate}::sandbox::API).start().await`.
- `Cargo.toml` names `highlevel-runtime`, `highlevel-codegen` and `highlevel-sandbox` by
  version; its `[patch.crates-io]` section, when there is one, takes them from a local
  checkout of highlevel-calendars instead.
"#
    )
}
