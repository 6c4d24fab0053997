//! The generated-code snapshot (`openapi/generated.rs.snap`): exactly what `build.rs` generates
//! from the normalized document, checked in so that a review shows how a spec change changes
//! the Rust API. It is never compiled from there.
//!
//! `build.rs` and the xtask both call `highlevel_codegen::generate`, so the snapshot and the
//! crate's build always come from the same function.

/// The Rust source `build.rs` generates from the text of a normalized document.
pub fn generate(normalized_text: &str) -> Result<String, String> {
    highlevel_codegen::generate(normalized_text, "openapi/calendars.json").map_err(|e| {
        format!("build.rs cannot generate the client from the normalized document: {e}")
    })
}
