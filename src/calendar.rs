//! Short starting points for the common kinds of calendar.
//!
//! Each function returns a [`CalendarCreateDtoBuilder`](crate::types::builder::CalendarCreateDtoBuilder)
//! (the generated builder of a Create Calendar body) with the fields that kind needs already
//! set; chain the generated setters for the rest, which take plain values (`"text"`, `30`, an
//! enum or its text). Only what is set is sent. Pass the builder to
//! [`Client::create_calendar`](crate::Client::create_calendar) as it is, or turn it into a
//! [`CalendarCreateDto`](crate::types::CalendarCreateDto) with `try_into()`, which names a
//! required field left unset.
//!
//! ```
//! use highlevel_calendars::calendar::{self, member};
//! use highlevel_calendars::enums::SlotDurationUnit;
//! use highlevel_calendars::types::CalendarCreateDto;
//!
//! let body: CalendarCreateDto = calendar::round_robin("loc_1", "Sales calls", [member("user_1"), member("user_2")])
//!     .slot_duration(45)
//!     .slot_duration_unit(SlotDurationUnit::Mins)
//!     .slug("sales-calls")
//!     .try_into()?;
//! assert_eq!(body.team_members.len(), 2);
//! assert_eq!(serde_json::to_value(&body)?["slotDuration"], 45);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::enums::CalendarType;
use crate::types::{self, builder::CalendarCreateDtoBuilder as Body};

/// A team member with only its user id set.
pub fn member(user_id: impl Into<String>) -> types::TeamMember {
    types::TeamMember {
        user_id: user_id.into(),
        is_primary: None,
        location_configurations: Vec::new(),
        priority: None,
    }
}

/// A team member marked primary (collective calendars need one).
pub fn primary_member(user_id: impl Into<String>) -> types::TeamMember {
    types::TeamMember {
        is_primary: Some(true),
        ..member(user_id)
    }
}

fn base(location_id: impl Into<String>, name: impl Into<String>, kind: CalendarType) -> Body {
    types::CalendarCreateDto::builder()
        .location_id(location_id.into())
        .name(name.into())
        .calendar_type(kind)
}

fn with_members(body: Body, members: impl IntoIterator<Item = types::TeamMember>) -> Body {
    body.team_members(members.into_iter().collect::<Vec<_>>())
}

/// A round-robin calendar: bookings rotate among `members` (at least one).
pub fn round_robin(
    location_id: impl Into<String>,
    name: impl Into<String>,
    members: impl IntoIterator<Item = types::TeamMember>,
) -> Body {
    with_members(base(location_id, name, CalendarType::RoundRobin), members)
}

/// An event calendar (no team members required).
pub fn event(location_id: impl Into<String>, name: impl Into<String>) -> Body {
    base(location_id, name, CalendarType::Event)
}

/// A class-booking calendar: several guests book seats with `members` (at least one).
pub fn class_booking(
    location_id: impl Into<String>,
    name: impl Into<String>,
    members: impl IntoIterator<Item = types::TeamMember>,
) -> Body {
    with_members(base(location_id, name, CalendarType::ClassBooking), members)
}

/// A collective calendar: every member attends. `primary` is marked primary, as HighLevel
/// requires.
pub fn collective(
    location_id: impl Into<String>,
    name: impl Into<String>,
    primary: impl Into<String>,
    others: impl IntoIterator<Item = types::TeamMember>,
) -> Body {
    let members = std::iter::once(primary_member(primary)).chain(others);
    with_members(base(location_id, name, CalendarType::Collective), members)
}

/// A service-booking calendar with `members` (at least one).
pub fn service_booking(
    location_id: impl Into<String>,
    name: impl Into<String>,
    members: impl IntoIterator<Item = types::TeamMember>,
) -> Body {
    with_members(
        base(location_id, name, CalendarType::ServiceBooking),
        members,
    )
}

/// A personal calendar: exactly one team member.
pub fn personal(
    location_id: impl Into<String>,
    name: impl Into<String>,
    owner: impl Into<String>,
) -> Body {
    with_members(
        base(location_id, name, CalendarType::Personal),
        [member(owner)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Validation;
    use highlevel_runtime::validation::check;

    #[test]
    fn every_starting_point_passes_the_stated_rules() {
        let bodies = [
            round_robin("l", "n", [member("a")]),
            event("l", "n"),
            class_booking("l", "n", [member("a")]),
            collective("l", "n", "a", [member("b")]),
            service_booking("l", "n", [member("a")]),
            personal("l", "n", "a"),
        ];
        for body in bodies {
            let body: types::CalendarCreateDto = body.try_into().expect("required fields set");
            check(&body, &Validation::strict()).expect("valid");
        }
    }
}
