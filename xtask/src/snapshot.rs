//! The generated-code snapshot (`openapi/generated.rs.snap`): exactly what `build.rs` generates
//! from the normalized document, checked in so that a review shows how a spec change changes
//! the Rust API. It is never compiled from there.
//!
//! The xtask includes `build.rs` itself as a module (see `lib.rs`), so the snapshot and the
//! crate's build always come from the same function.

/// The Rust source `build.rs` generates from the text of a normalized document.
pub fn generate(normalized_text: &str) -> Result<String, String> {
    crate::build_script::generate(normalized_text).map_err(|e| {
        format!("build.rs cannot generate the client from the normalized document: {e}")
    })
}
