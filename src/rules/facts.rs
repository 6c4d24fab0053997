//! What the documented and evident rules look at, borrowed from a typed create or update
//! body, so those rules are written once and run on both.

/// The parts of a create-calendar body the documented and evident rules need. The hours and
/// amounts only the evident rules read are gathered only when those rules run.
#[derive(Default)]
pub(super) struct Facts<'a> {
    pub(super) calendar_type: Option<&'a str>,
    pub(super) enable_recurring: bool,
    pub(super) members: Vec<Member<'a>>,
    pub(super) locations: Vec<Location<'a>>,
    /// `availabilities[i].date`, by index.
    pub(super) availability_dates: Vec<Option<&'a str>>,
    /// Every list of hours: where it is (`("openHours", 0)` for `openHours[0].hours`) and its
    /// hours.
    pub(super) hour_lists: Vec<(&'static str, usize, Vec<Hours>)>,
    pub(super) form_submit_type: Option<&'a str>,
    pub(super) form_submit_redirect_url: Option<&'a str>,
    pub(super) look_busy_percentage: Option<f64>,
    /// The duration and count fields that are set, by wire name.
    pub(super) amounts: Vec<(&'static str, f64)>,
}

pub(super) struct Member<'a> {
    pub(super) is_primary: bool,
    pub(super) locations: Vec<Location<'a>>,
}

pub(super) struct Location<'a> {
    pub(super) kind: Option<&'a str>,
    pub(super) location: Option<&'a str>,
}

/// An opening, as minutes since midnight (`None` when a part is missing).
pub(super) struct Hours {
    pub(super) open: Option<f64>,
    pub(super) close: Option<f64>,
}

pub(super) fn minutes(hour: Option<f64>, minute: Option<f64>) -> Option<f64> {
    Some(hour? * 60.0 + minute?)
}

/// Gathers [`Facts`] from a typed body. Create and update bodies are different types with the
/// same field names (an update has no `calendarType`), so one macro reads both.
macro_rules! facts_of {
    ($body:expr, $evident:expr, $calendar_type:expr) => {{
        let body = $body;
        let locations = |list: &'a [_]| {
            list.iter()
                .map(
                    |l: &'a crate::types::LocationConfiguration| $crate::rules::facts::Location {
                        kind: Some(l.kind.as_str()),
                        location: l.location.as_deref(),
                    },
                )
                .collect()
        };
        let hours = |list: &[crate::types::Hour]| {
            list.iter()
                .map(|h| $crate::rules::facts::Hours {
                    open: $crate::rules::facts::minutes(
                        Some(h.open_hour.get()),
                        Some(h.open_minute.get()),
                    ),
                    close: $crate::rules::facts::minutes(
                        Some(h.close_hour.get()),
                        Some(h.close_minute.get()),
                    ),
                })
                .collect::<Vec<_>>()
        };
        let mut hour_lists = Vec::new();
        let mut amounts = Vec::new();
        if $evident {
            for (i, entry) in body.open_hours.iter().enumerate() {
                hour_lists.push(("openHours", i, hours(&entry.hours)));
            }
            for (i, entry) in body.availabilities.iter().enumerate() {
                hour_lists.push(("availabilities", i, hours(&entry.hours)));
            }
            amounts = [
                ("slotDuration", body.slot_duration.map(f64::from)),
                ("slotInterval", body.slot_interval.map(f64::from)),
                ("slotBuffer", body.slot_buffer.map(f64::from)),
                ("preBuffer", body.pre_buffer.map(f64::from)),
                ("appoinmentPerSlot", body.appoinment_per_slot.map(f64::from)),
                ("appoinmentPerDay", body.appoinment_per_day.map(f64::from)),
                ("allowBookingAfter", body.allow_booking_after.map(f64::from)),
                ("allowBookingFor", body.allow_booking_for.map(f64::from)),
                (
                    "recurring.count",
                    body.recurring.as_ref().and_then(|r| r.count).map(f64::from),
                ),
            ]
            .into_iter()
            .filter_map(|(name, value)| Some((name, value?)))
            .collect();
        }
        $crate::rules::facts::Facts {
            calendar_type: $calendar_type,
            enable_recurring: body.enable_recurring == Some(true),
            members: body
                .team_members
                .iter()
                .map(|m| $crate::rules::facts::Member {
                    is_primary: m.is_primary == Some(true),
                    locations: locations(&m.location_configurations),
                })
                .collect(),
            locations: locations(&body.location_configurations),
            availability_dates: body
                .availabilities
                .iter()
                .map(|a| Some(a.date.as_str()))
                .collect(),
            hour_lists,
            form_submit_type: body.form_submit_type.as_ref().map(|t| t.as_str()),
            form_submit_redirect_url: body.form_submit_redirect_url.as_deref(),
            look_busy_percentage: body
                .look_busy_config
                .as_ref()
                .map(|l| f64::from(l.look_busy_percentage)),
            amounts,
        }
    }};
}

impl<'a> Facts<'a> {
    pub(super) fn of_create(body: &'a crate::types::CalendarCreateDto, evident: bool) -> Facts<'a> {
        facts_of!(
            body,
            evident,
            body.calendar_type.as_ref().map(|t| t.as_str())
        )
    }

    pub(super) fn of_update(body: &'a crate::types::CalendarUpdateDto, evident: bool) -> Facts<'a> {
        facts_of!(body, evident, None)
    }
}
