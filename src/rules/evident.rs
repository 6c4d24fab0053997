//! Rules HighLevel does not state but that follow from what the fields mean. Checked only by
//! [`Validation::strict`](crate::Validation::strict): HighLevel's own example breaks two of them
//! (an hour that opens and closes at 11:30, a look-busy percentage of 123).

use super::facts::Facts;
use super::*;
use highlevel_runtime::validation::Checker;

/// Only called when some evident rule is selected (they are off by default).
pub(super) fn check(body: &Facts, report: &mut Checker<'_>) {
    if body.form_submit_type == Some("RedirectURL")
        && body
            .form_submit_redirect_url
            .is_none_or(|url| url.trim().is_empty())
    {
        report.report_at(
            "formSubmitRedirectURL",
            REDIRECT_NEEDS_URL,
            "is needed when formSubmitType is RedirectURL",
        );
    }

    if let Some(p) = body.look_busy_percentage
        && !(0.0..=100.0).contains(&p)
    {
        report.report_at(
            "lookBusyConfig.LookBusyPercentage",
            PERCENTAGE,
            format!("must be between 0 and 100 (is {p})"),
        );
    }

    for &(field, value) in &body.amounts {
        if value < 0.0 {
            report.report_at(field, NOT_NEGATIVE, "must not be negative");
        }
    }

    for (list, i, hours) in &body.hour_lists {
        for (j, hour) in hours.iter().enumerate() {
            if let (Some(open), Some(close)) = (hour.open, hour.close)
                && open >= close
            {
                report.report_at(
                    format!("{list}[{i}].hours[{j}]"),
                    OPEN_BEFORE_CLOSE,
                    "must open before it closes",
                );
            }
        }
    }
}
