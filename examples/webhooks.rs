//! An app's webhook endpoint against the sandbox: it verifies each delivery with
//! `WebhookVerifier` (trusting the sandbox's keys) and prints the event, while the sandbox books,
//! moves and cancels an appointment through the client. Exits 0 once the three events
//! (`AppointmentCreate`, `AppointmentUpdate`, `AppointmentDelete`) arrived verified.
//!
//! ```text
//! cargo run --example webhooks --features sandbox,webhooks
//! ```

use bytes::Bytes;
use highlevel_calendars::Client;
use highlevel_calendars::sandbox::Sandbox;
use highlevel_calendars::types::{
    AppointmentCreateSchema, AppointmentEditSchema, DeleteAppointmentSchema,
};
use highlevel_calendars::webhooks::{Event, PublicKey, WebhookVerifier};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::json;
use std::process::ExitCode;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// How long to wait for each event before giving up.
const DEADLINE: Duration = Duration::from_secs(10);

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
    // The app's endpoint, on a free loopback port.
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let url = format!(
        "http://{}/webhooks/highlevel",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let sandbox = Sandbox::builder()
        .webhook_url(&url)
        .start()
        .await
        .map_err(|e| format!("could not start the sandbox: {e}"))?;
    println!("sandbox at {}, webhooks to {url}", sandbox.base_url());

    // In production the verifier trusts HighLevel's built-in keys; here, the sandbox's.
    let keys = sandbox.webhook_public_keys();
    let verifier = WebhookVerifier::builder()
        .without_highlevel_keys()
        .trust(
            PublicKey::from_pem("sandbox-ed25519", &keys.ed25519_pem).map_err(|e| e.to_string())?,
        )
        .trust(PublicKey::from_pem("sandbox-rsa", &keys.rsa_pem).map_err(|e| e.to_string())?)
        .build()
        .map_err(|e| e.to_string())?;
    let (events, mut received) = mpsc::unbounded_channel();
    tokio::spawn(serve(listener, verifier, events));

    let client: Client = sandbox
        .client_builder()
        .build()
        .map_err(|e| e.to_string())?;
    let booking: AppointmentCreateSchema = serde_json::from_value(json!({
        "calendarId": "cal_demo",
        "contactId": "contact_demo",
        "locationId": "loc_demo",
        "startTime": "2026-03-02T10:00:00+00:00",
        "endTime": "2026-03-02T10:30:00+00:00",
        "title": "Intro call"
    }))
    .map_err(|e| e.to_string())?;
    let booked = client
        .create_appointment(booking)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    println!("booked appointment {}", booked.id);
    let moved: AppointmentEditSchema =
        serde_json::from_value(json!({"startTime": "2026-03-02T11:00:00+00:00"}))
            .map_err(|e| e.to_string())?;
    client
        .edit_appointment(booked.id.as_str(), moved)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    println!("moved appointment {}", booked.id);
    let cancel: DeleteAppointmentSchema =
        serde_json::from_value(json!({})).map_err(|e| e.to_string())?;
    client
        .delete_event(booked.id.as_str(), cancel)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    println!("cancelled appointment {}", booked.id);

    for expected in [
        "AppointmentCreate",
        "AppointmentUpdate",
        "AppointmentDelete",
    ] {
        let event = tokio::time::timeout(DEADLINE, received.recv())
            .await
            .map_err(|_| format!("no {expected} within {DEADLINE:?}"))?
            .ok_or("the endpoint stopped")??;
        if event != expected {
            return Err(format!("expected {expected}, got {event}"));
        }
    }
    println!("all three events arrived verified");
    Ok(())
}

/// Accepts the sandbox's deliveries; sends each verified event's type (or the refusal) on.
async fn serve(
    listener: TcpListener,
    verifier: WebhookVerifier,
    events: mpsc::UnboundedSender<Result<String, String>>,
) {
    while let Ok((stream, _)) = listener.accept().await {
        let (verifier, events) = (verifier.clone(), events.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let (verifier, events) = (verifier.clone(), events.clone());
                async move { Ok::<_, hyper::Error>(handle(&verifier, &events, request).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// One delivery: verified over the bytes received, then printed. A refusal answers the
/// status the error carries.
async fn handle(
    verifier: &WebhookVerifier,
    events: &mpsc::UnboundedSender<Result<String, String>>,
    request: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let (head, body) = request.into_parts();
    let Ok(body) = body.collect().await.map(|b| b.to_bytes()) else {
        return answer(StatusCode::BAD_REQUEST);
    };
    match verifier.verify(&head.headers, &body).await {
        Ok(delivery) => {
            let kind = match delivery.event() {
                Event::AppointmentCreate(e) => print_appointment(
                    "AppointmentCreate",
                    e.location_id.as_deref(),
                    e.appointment.as_ref(),
                ),
                Event::AppointmentUpdate(e) => print_appointment(
                    "AppointmentUpdate",
                    e.location_id.as_deref(),
                    e.appointment.as_ref(),
                ),
                Event::AppointmentDelete(e) => print_appointment(
                    "AppointmentDelete",
                    e.location_id.as_deref(),
                    e.appointment.as_ref(),
                ),
                other => {
                    println!("webhook {other:?}");
                    "other"
                }
            };
            println!(
                "  webhookId {} signed with {} ({})",
                delivery.webhook_id(),
                delivery.scheme(),
                delivery.key_id()
            );
            let _ = events.send(Ok(kind.to_string()));
            answer(StatusCode::OK)
        }
        Err(error) => {
            let _ = events.send(Err(format!("a delivery was refused: {error}")));
            answer(StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST))
        }
    }
}

fn print_appointment(
    kind: &'static str,
    location: Option<&str>,
    appointment: Option<&highlevel_calendars::webhooks::events::Appointment>,
) -> &'static str {
    let field = |f: Option<&String>| f.map_or("-", String::as_str).to_string();
    let (id, start) = appointment.map_or(("-".into(), "-".into()), |a| {
        (field(a.id.as_ref()), field(a.start_time.as_ref()))
    });
    println!(
        "webhook {kind}: appointment {id} in {} starting {start}",
        location.unwrap_or("-")
    );
    kind
}

fn answer(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}
