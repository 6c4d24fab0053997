//! What [`Client::create_calendar`](crate::Client::create_calendar) accepts as a body, and how
//! the body goes on the wire.

use crate::types;
use crate::validation::{Rule, ValidationError};
use std::borrow::Cow;

/// A create-calendar body: an owned or borrowed [`types::CalendarCreateDto`], or the
/// generated builder (`CalendarCreateDto::builder()...`, or a starting point from
/// [`calendar`](crate::calendar)). Borrow a body to send the same definition several times.
pub trait IntoCalendarBody<'a> {
    /// The body, or the required field the builder is missing.
    fn into_calendar_body(self) -> Result<Cow<'a, types::CalendarCreateDto>, ValidationError>;
}

impl<'a> IntoCalendarBody<'a> for types::CalendarCreateDto {
    fn into_calendar_body(self) -> Result<Cow<'a, types::CalendarCreateDto>, ValidationError> {
        Ok(Cow::Owned(self))
    }
}

impl<'a> IntoCalendarBody<'a> for &'a types::CalendarCreateDto {
    fn into_calendar_body(self) -> Result<Cow<'a, types::CalendarCreateDto>, ValidationError> {
        Ok(Cow::Borrowed(self))
    }
}

impl<'a> IntoCalendarBody<'a> for types::builder::CalendarCreateDto {
    fn into_calendar_body(self) -> Result<Cow<'a, types::CalendarCreateDto>, ValidationError> {
        types::CalendarCreateDto::try_from(self)
            .map(Cow::Owned)
            .map_err(|e| missing_field(&e.to_string()))
    }
}

/// The typed builders report a missing required field as `no value supplied for <field>`.
fn missing_field(message: &str) -> ValidationError {
    match message.strip_prefix("no value supplied for ") {
        Some(field) => ValidationError::single(&wire_name(field), Rule::Required, "is required"),
        None => ValidationError::single("", Rule::Type, message.to_string()),
    }
}

/// `location_id` -> `locationId`.
fn wire_name(rust_field: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in rust_field.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Fills the generated request builder with the smallest body it accepts (the required fields,
/// empty: no allocation). The generated code serializes the body it is given; the client
/// instead serializes the caller's body once per call and swaps those bytes in (see `call.rs`),
/// so no attempt needs a copy of the caller's body. A required field added upstream makes
/// every send fail the builder's check, which every client test would show.
pub(crate) fn placeholder(
    body: types::builder::CalendarCreateDto,
) -> types::builder::CalendarCreateDto {
    body.location_id(String::new()).name(String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_messages_name_the_wire_field() {
        let e = missing_field("no value supplied for location_id");
        assert!(e.has("locationId", Rule::Required), "{e}");
    }
}
