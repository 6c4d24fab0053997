//! Rules HighLevel states in words: on the Create Calendar page and in field descriptions.

use super::{Report, Rule};
use serde_json::Value;

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

pub(super) fn check(body: &Value, report: &mut Report) {
    let calendar_type = body["calendarType"].as_str();
    let members = body["teamMembers"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);

    if let Some(kind) = calendar_type.filter(|t| NEEDS_TEAM.contains(t))
        && members.is_empty()
    {
        report.add(
            "teamMembers",
            Rule::TeamMembersRequired,
            format!("must list at least one team member for a {kind} calendar"),
        );
    }
    if calendar_type == Some("personal") && members.len() != 1 {
        report.add(
            "teamMembers",
            Rule::PersonalHasOneMember,
            format!(
                "must list exactly one team member for a personal calendar (has {})",
                members.len()
            ),
        );
    }
    if body["enableRecurring"] == Value::Bool(true) && members.len() != 1 {
        report.add(
            "teamMembers",
            Rule::RecurringHasOneMember,
            format!(
                "must list exactly one team member when enableRecurring is true (has {})",
                members.len()
            ),
        );
    }

    let primary: Vec<usize> = members
        .iter()
        .enumerate()
        .filter(|(_, m)| m["isPrimary"] == Value::Bool(true))
        .map(|(i, _)| i)
        .collect();
    if calendar_type == Some("collective") && !members.is_empty() && primary.is_empty() {
        report.add(
            "teamMembers",
            Rule::CollectiveNeedsPrimary,
            "must mark one team member isPrimary for a collective calendar",
        );
    }
    for i in primary.iter().skip(1) {
        report.add(
            format!("teamMembers[{i}].isPrimary"),
            Rule::OnePrimaryMember,
            format!(
                "must not be true: teamMembers[{}] is already primary",
                primary[0]
            ),
        );
    }

    for (i, member) in members.iter().enumerate() {
        let count = member["locationConfigurations"]
            .as_array()
            .map_or(0, Vec::len);
        let path = format!("teamMembers[{i}].locationConfigurations");
        if count > 1 && members.len() > 1 {
            report.add(
                &path,
                Rule::SeveralLocationsNeedOneMember,
                format!(
                    "has {count} entries; several location configurations are allowed only when the calendar has one team member"
                ),
            );
        }
        if let Some(kind) = calendar_type.filter(|t| ["class_booking", "collective"].contains(t))
            && count > 1
        {
            report.add(
                &path,
                Rule::OneLocationPerMember,
                format!("has {count} entries; a {kind} calendar allows one per team member"),
            );
        }
    }

    let location_lists = std::iter::once((
        "locationConfigurations".to_string(),
        &body["locationConfigurations"],
    ))
    .chain(members.iter().enumerate().map(|(i, m)| {
        (
            format!("teamMembers[{i}].locationConfigurations"),
            &m["locationConfigurations"],
        )
    }));
    for (list_path, list) in location_lists {
        for (j, config) in list.as_array().into_iter().flatten().enumerate() {
            let Some(kind) = config["kind"]
                .as_str()
                .filter(|k| CONFERENCE_KINDS.contains(k))
            else {
                continue;
            };
            if calendar_type == Some("event") {
                report.add(
                    format!("{list_path}[{j}].kind"),
                    Rule::NoConferenceOnEvent,
                    format!("cannot be {kind} on an event calendar"),
                );
            }
            if config["location"].as_str().is_some_and(|l| !l.is_empty()) {
                report.add(
                    format!("{list_path}[{j}].location"),
                    Rule::NoLocationForConference,
                    format!("does not apply to kind {kind}; leave it out"),
                );
            }
        }
    }

    for (i, availability) in body["availabilities"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        if let Some(date) = availability["date"].as_str()
            && !is_midnight_date(date)
        {
            report.add(
                format!("availabilities[{i}].date"),
                Rule::DateFormat,
                format!("must look like 2023-09-24T00:00:00.000Z, not {date:?}"),
            );
        }
    }
}

/// `YYYY-MM-DDT00:00:00.000Z` with a plausible month and day.
fn is_midnight_date(date: &str) -> bool {
    let bytes = date.as_bytes();
    if bytes.len() != 24 || &date[10..] != "T00:00:00.000Z" {
        return false;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = &date[range];
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
