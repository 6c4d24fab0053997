//! The README's main job: create the calendar of HighLevel's documentation example.
//!
//! With `HIGHLEVEL_TOKEN` and `HIGHLEVEL_LOCATION_ID` set it calls the real API (or the server
//! in `HIGHLEVEL_BASE_URL`); without a token it prints the request it would send. An optional
//! argument names a JSON file with another calendar definition.
//!
//! ```text
//! cargo run --example create_calendar [-- calendar.json]
//! ```

use highlevel_calendars::types::CalendarCreateDto;
use highlevel_calendars::{API_VERSION, Client, EnvSettings};
use std::process::ExitCode;

const SEED: &str = include_str!("../tests/fixtures/create-calendar-request.json");

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let definition = match std::env::args().nth(1) {
        Some(path) => std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?,
        None => SEED.to_string(),
    };
    let mut body: CalendarCreateDto = serde_json::from_str(&definition)
        .map_err(|e| format!("the calendar definition is not a valid request: {e}"))?;
    let env = EnvSettings::from_env();
    if let Some(location) = &env.location_id {
        body.location_id = location.clone();
    }
    if env.token.is_none() {
        println!("HIGHLEVEL_TOKEN is not set: this is the request that would be sent.");
        println!("POST {}/calendars/", highlevel_calendars::DEFAULT_BASE_URL);
        println!("Authorization: Bearer <token>\nVersion: {API_VERSION}\nContent-Type: application/json\n");
        println!("{}", serde_json::to_string_pretty(&body).map_err(|e| e.to_string())?);
        return Ok(());
    }
    if env.location_id.is_none() {
        return Err("HIGHLEVEL_LOCATION_ID must be set with HIGHLEVEL_TOKEN".into());
    }
    let client: Client = env
        .client_builder()
        .and_then(|b| b.build())
        .map_err(|e| e.to_string())?;
    let created = client
        .create_calendar(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let calendar = &created.calendar;
    println!("created calendar {}", calendar.id);
    println!("  name: {}", calendar.name);
    println!(
        "  type: {}",
        calendar.calendar_type.as_ref().map_or("-", |t| t.as_str())
    );
    println!("  slug: {}", calendar.slug.as_deref().unwrap_or("-"));
    println!("  rate limit: {}", created.rate_limit);
    Ok(())
}
