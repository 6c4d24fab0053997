//! Rules HighLevel does not state but that follow from what the fields mean. Checked only by
//! [`Validation::strict`](super::Validation::strict): HighLevel's own example breaks two of them
//! (an hour that opens and closes at 11:30, a look-busy percentage of 123).

use super::{Report, Rule};
use serde_json::Value;

const NOT_NEGATIVE: &[&str] = &[
    "slotDuration",
    "slotInterval",
    "slotBuffer",
    "preBuffer",
    "appoinmentPerSlot",
    "appoinmentPerDay",
    "allowBookingAfter",
    "allowBookingFor",
];

pub(super) fn check(body: &Value, report: &mut Report) {
    if body["formSubmitType"] == "RedirectURL"
        && body["formSubmitRedirectURL"]
            .as_str()
            .is_none_or(|url| url.trim().is_empty())
    {
        report.add(
            "formSubmitRedirectURL",
            Rule::RedirectNeedsUrl,
            "is needed when formSubmitType is RedirectURL",
        );
    }

    if let Some(p) = body["lookBusyConfig"]["LookBusyPercentage"].as_f64()
        && !(0.0..=100.0).contains(&p)
    {
        report.add(
            "lookBusyConfig.LookBusyPercentage",
            Rule::Percentage,
            format!("must be between 0 and 100 (is {p})"),
        );
    }

    for field in NOT_NEGATIVE {
        if body[*field].as_f64().is_some_and(|n| n < 0.0) {
            report.add(*field, Rule::NotNegative, "must not be negative");
        }
    }
    if body["recurring"]["count"].as_f64().is_some_and(|n| n < 0.0) {
        report.add("recurring.count", Rule::NotNegative, "must not be negative");
    }

    let hour_lists = ["openHours", "availabilities"]
        .into_iter()
        .flat_map(|list| {
            body[list]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
                .map(move |(i, entry)| (format!("{list}[{i}].hours"), &entry["hours"]))
        });
    for (path, hours) in hour_lists {
        for (j, hour) in hours.as_array().into_iter().flatten().enumerate() {
            let time = |h: &str, m: &str| Some(hour[h].as_f64()? * 60.0 + hour[m].as_f64()?);
            if let (Some(open), Some(close)) = (
                time("openHour", "openMinute"),
                time("closeHour", "closeMinute"),
            ) && open >= close
            {
                report.add(
                    format!("{path}[{j}]"),
                    Rule::OpenBeforeClose,
                    "must open before it closes",
                );
            }
        }
    }
}
