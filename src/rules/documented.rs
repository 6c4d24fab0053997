//! Rules HighLevel states in words: on the Create Calendar page and in field descriptions.

use super::facts::{Facts, Location};
use super::*;
use highlevel_runtime::validation::Checker;

const NEEDS_TEAM: &[&str] = &[
    "round_robin",
    "collective",
    "class_booking",
    "service_booking",
];
const CONFERENCE_KINDS: &[&str] = &[
    "zoom_conference",
    "google_conference",
    "ms_teams_conference",
];

pub(super) fn check(body: &Facts, report: &mut Checker<'_>) {
    let calendar_type = body.calendar_type;
    let members = &body.members;

    if let Some(kind) = calendar_type.filter(|t| NEEDS_TEAM.contains(t))
        && members.is_empty()
    {
        report.report_at(
            "teamMembers",
            TEAM_MEMBERS_REQUIRED,
            format!("must list at least one team member for a {kind} calendar"),
        );
    }
    if calendar_type == Some("personal") && members.len() != 1 {
        report.report_at(
            "teamMembers",
            PERSONAL_HAS_ONE_MEMBER,
            format!(
                "must list exactly one team member for a personal calendar (has {})",
                members.len()
            ),
        );
    }
    if body.enable_recurring && members.len() != 1 {
        report.report_at(
            "teamMembers",
            RECURRING_HAS_ONE_MEMBER,
            format!(
                "must list exactly one team member when enableRecurring is true (has {})",
                members.len()
            ),
        );
    }

    let mut primary = members
        .iter()
        .enumerate()
        .filter(|(_, m)| m.is_primary)
        .map(|(i, _)| i);
    match primary.next() {
        None if calendar_type == Some("collective") && !members.is_empty() => report.report_at(
            "teamMembers",
            COLLECTIVE_NEEDS_PRIMARY,
            "must mark one team member isPrimary for a collective calendar",
        ),
        None => {}
        Some(first) => {
            for i in primary {
                report.report_at(
                    format!("teamMembers[{i}].isPrimary"),
                    ONE_PRIMARY_MEMBER,
                    format!("must not be true: teamMembers[{first}] is already primary"),
                );
            }
        }
    }

    for (i, member) in members.iter().enumerate() {
        let count = member.locations.len();
        if count > 1 && members.len() > 1 {
            report.report_at(
                format!("teamMembers[{i}].locationConfigurations"),
                SEVERAL_LOCATIONS_NEED_ONE_MEMBER,
                format!(
                    "has {count} entries; several location configurations are allowed only when the calendar has one team member"
                ),
            );
        }
        if let Some(kind) = calendar_type.filter(|t| ["class_booking", "collective"].contains(t))
            && count > 1
        {
            report.report_at(
                format!("teamMembers[{i}].locationConfigurations"),
                ONE_LOCATION_PER_MEMBER,
                format!("has {count} entries; a {kind} calendar allows one per team member"),
            );
        }
    }

    check_locations(
        &body.locations,
        calendar_type,
        &"locationConfigurations",
        report,
    );
    for (i, member) in members.iter().enumerate() {
        check_locations(
            &member.locations,
            calendar_type,
            &format_args!("teamMembers[{i}].locationConfigurations"),
            report,
        );
    }

    for (i, date) in body.availability_dates.iter().enumerate() {
        if let Some(date) = date
            && !date.trim().is_empty()
            && !is_midnight_date(date)
        {
            report.report_at(
                format!("availabilities[{i}].date"),
                DATE_FORMAT,
                format!("must look like 2023-09-24T00:00:00.000Z, not {date:?}"),
            );
        }
    }
}

fn check_locations(
    locations: &[Location],
    calendar_type: Option<&str>,
    list_path: &dyn std::fmt::Display,
    report: &mut Checker<'_>,
) {
    for (j, config) in locations.iter().enumerate() {
        let Some(kind) = config.kind.filter(|k| CONFERENCE_KINDS.contains(k)) else {
            continue;
        };
        if calendar_type == Some("event") {
            report.report_at(
                format!("{list_path}[{j}].kind"),
                NO_CONFERENCE_ON_EVENT,
                format!("cannot be {kind} on an event calendar"),
            );
        }
        if config.location.is_some_and(|l| !l.is_empty()) {
            report.report_at(
                format!("{list_path}[{j}].location"),
                NO_LOCATION_FOR_CONFERENCE,
                format!("does not apply to kind {kind}; leave it out"),
            );
        }
    }
}

/// `YYYY-MM-DDT00:00:00.000Z` with a plausible month and day.
fn is_midnight_date(date: &str) -> bool {
    let bytes = date.as_bytes();
    if bytes.len() != 24 || !date.ends_with("T00:00:00.000Z") {
        return false;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = date.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    matches!(
        (
            digits(0..4),
            bytes[4],
            digits(5..7),
            bytes[7],
            digits(8..10)
        ),
        (Some(_), b'-', Some(1..=12), b'-', Some(1..=31))
    )
}

#[cfg(test)]
mod tests {
    use super::is_midnight_date;

    #[test]
    fn dates_follow_the_documented_form() {
        assert!(is_midnight_date("2023-09-24T00:00:00.000Z"));
        assert!(!is_midnight_date("2023-09-24"));
        assert!(!is_midnight_date("2023-13-24T00:00:00.000Z"));
        assert!(!is_midnight_date("2023-09-24T10:00:00.000Z"));
        assert!(!is_midnight_date("2023/09/24T00:00:00.000Z"));
        assert!(!is_midnight_date("２０２３-09-24T00:00:0"));
    }
}
