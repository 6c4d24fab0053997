//! Generates the client from the normalized document (see `highlevel-codegen`).

fn main() {
    highlevel_codegen::build_script("openapi/calendars.json");
}
