//! The webhooks the Calendars sandbox sends: HighLevel's appointment events, after each
//! appointment it books, edits or deletes (see `crates/highlevel-webhooks/events/`).

use crate::operations;
use highlevel_sandbox::WebhookTrigger;

/// `AppointmentCreate`, `AppointmentUpdate` and `AppointmentDelete`, each with the appointment
/// under `appointment`. Create and Edit answer the appointment itself; Delete answers
/// `{"succeeded": true}`, so its event carries the appointment as the sandbox last sent it.
pub(crate) fn triggers() -> [WebhookTrigger; 3] {
    const FIELD: &str = "appointment";
    [
        WebhookTrigger::new(
            operations::CREATE_APPOINTMENT.id,
            "AppointmentCreate",
            FIELD,
        ),
        WebhookTrigger::new(operations::EDIT_APPOINTMENT.id, "AppointmentUpdate", FIELD)
            .id_param("eventId"),
        WebhookTrigger::new(operations::DELETE_EVENT.id, "AppointmentDelete", FIELD)
            .without_answer()
            .id_param("eventId")
            .ends_object(),
    ]
}
