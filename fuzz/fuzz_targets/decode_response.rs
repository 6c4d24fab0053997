//! Feeds arbitrary bytes to the Create Calendar response decoder: it must return a calendar or
//! a `DecodeError`, never panic, whatever a server sends.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Err(error) = highlevel_calendars::decode_created_calendar(body) {
        // The error's text is bounded however large the body.
        assert!(error.body_snippet.len() <= highlevel_calendars::SNIPPET_LIMIT + 4);
        let _ = error.to_string();
    }
});
