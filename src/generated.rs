//! The client progenitor generates from `openapi/calendars.json` (see `build.rs`).
//! Never edited by hand: change the normalizer or the generation settings instead.
#![allow(
    missing_docs,
    unused_imports,
    private_interfaces,
    clippy::all,
    clippy::pedantic
)]

include!(concat!(env!("OUT_DIR"), "/codegen.rs"));
