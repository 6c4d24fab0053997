//! What the documented and evident rules look at, borrowed from a typed body or from JSON, so
//! those rules are written once and run on both without converting one into the other.

use crate::types::CalendarCreateDto;
use serde_json::Value;

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

fn minutes(hour: Option<f64>, minute: Option<f64>) -> Option<f64> {
    Some(hour? * 60.0 + minute?)
}

impl<'a> Facts<'a> {
    pub(super) fn from_json(body: &'a Value, evident: bool) -> Facts<'a> {
        let list = |v: &'a Value| v.as_array().map(Vec::as_slice).unwrap_or(&[]);
        let locations = |v: &'a Value| {
            list(v)
                .iter()
                .map(|l| Location {
                    kind: l["kind"].as_str(),
                    location: l["location"].as_str(),
                })
                .collect()
        };
        let hours = |v: &'a Value| {
            list(v)
                .iter()
                .map(|h| Hours {
                    open: minutes(h["openHour"].as_f64(), h["openMinute"].as_f64()),
                    close: minutes(h["closeHour"].as_f64(), h["closeMinute"].as_f64()),
                })
                .collect::<Vec<_>>()
        };
        let mut hour_lists = Vec::new();
        let mut amounts: Vec<(&'static str, f64)> = Vec::new();
        if evident {
            for name in ["openHours", "availabilities"] {
                for (i, entry) in list(&body[name]).iter().enumerate() {
                    hour_lists.push((name, i, hours(&entry["hours"])));
                }
            }
            amounts.extend(
                AMOUNT_FIELDS
                    .iter()
                    .filter_map(|&name| Some((name, body[name].as_f64()?))),
            );
            if let Some(count) = body["recurring"]["count"].as_f64() {
                amounts.push(("recurring.count", count));
            }
        }
        Facts {
            calendar_type: body["calendarType"].as_str(),
            enable_recurring: body["enableRecurring"] == Value::Bool(true),
            members: list(&body["teamMembers"])
                .iter()
                .map(|m| Member {
                    is_primary: m["isPrimary"] == Value::Bool(true),
                    locations: locations(&m["locationConfigurations"]),
                })
                .collect(),
            locations: locations(&body["locationConfigurations"]),
            availability_dates: list(&body["availabilities"])
                .iter()
                .map(|a| a["date"].as_str())
                .collect(),
            hour_lists,
            form_submit_type: body["formSubmitType"].as_str(),
            form_submit_redirect_url: body["formSubmitRedirectURL"].as_str(),
            look_busy_percentage: body["lookBusyConfig"]["LookBusyPercentage"].as_f64(),
            amounts,
        }
    }

    pub(super) fn from_typed(body: &'a CalendarCreateDto, evident: bool) -> Facts<'a> {
        let locations = |list: &'a [crate::types::LocationConfiguration]| {
            list.iter()
                .map(|l| Location {
                    kind: Some(l.kind.as_str()),
                    location: l.location.as_deref(),
                })
                .collect()
        };
        let hours = |list: &[crate::types::Hour]| {
            list.iter()
                .map(|h| Hours {
                    open: minutes(Some(h.open_hour), Some(h.open_minute)),
                    close: minutes(Some(h.close_hour), Some(h.close_minute)),
                })
                .collect::<Vec<_>>()
        };
        let mut hour_lists = Vec::new();
        let mut amounts = Vec::new();
        if evident {
            for (i, entry) in body.open_hours.iter().enumerate() {
                hour_lists.push(("openHours", i, hours(&entry.hours)));
            }
            for (i, entry) in body.availabilities.iter().enumerate() {
                hour_lists.push(("availabilities", i, hours(&entry.hours)));
            }
            amounts = evident_amounts(body);
        }

        Facts {
            calendar_type: body.calendar_type.as_ref().map(|t| t.as_str()),
            enable_recurring: body.enable_recurring == Some(true),
            members: body
                .team_members
                .iter()
                .map(|m| Member {
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
                .map(|l| l.look_busy_percentage),
            amounts,
        }
    }
}

/// The duration and count fields of a typed body that are set, by wire name.
fn evident_amounts(body: &CalendarCreateDto) -> Vec<(&'static str, f64)> {
    [
        ("slotDuration", body.slot_duration),
        ("slotInterval", body.slot_interval),
        ("slotBuffer", body.slot_buffer),
        ("preBuffer", body.pre_buffer),
        ("appoinmentPerSlot", body.appoinment_per_slot),
        ("appoinmentPerDay", body.appoinment_per_day),
        ("allowBookingAfter", body.allow_booking_after),
        ("allowBookingFor", body.allow_booking_for),
        (
            "recurring.count",
            body.recurring.as_ref().and_then(|r| r.count),
        ),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name, value?)))
    .collect()
}

/// Durations and counts that cannot be negative (evident rule), top-level wire names.
const AMOUNT_FIELDS: &[&str] = &[
    "slotDuration",
    "slotInterval",
    "slotBuffer",
    "preBuffer",
    "appoinmentPerSlot",
    "appoinmentPerDay",
    "allowBookingAfter",
    "allowBookingFor",
];
