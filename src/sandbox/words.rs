//! The calendar rules HighLevel states only in words (see [`crate::rules`]), as the document
//! the sandbox serves at `GET /openapi.json` lists them: JSON Schema cannot say them, so an
//! API tester reads them there.

use crate::rules;
use highlevel_runtime::validation::Rule;

/// Each rule of [`rules::ALL`] with what it requires of a create or update calendar body.
pub(crate) const SAYS: &[(Rule, &str)] = &[
    (
        rules::TEAM_MEMBERS_REQUIRED,
        "round robin, collective, class booking and service booking calendars need teamMembers",
    ),
    (
        rules::PERSONAL_HAS_ONE_MEMBER,
        "a personal calendar has exactly one team member",
    ),
    (
        rules::RECURRING_HAS_ONE_MEMBER,
        "enableRecurring needs exactly one team member",
    ),
    (
        rules::COLLECTIVE_NEEDS_PRIMARY,
        "a collective calendar needs a team member with isPrimary",
    ),
    (
        rules::ONE_PRIMARY_MEMBER,
        "at most one team member has isPrimary",
    ),
    (
        rules::SEVERAL_LOCATIONS_NEED_ONE_MEMBER,
        "several locationConfigurations on a team member need a calendar with one team member",
    ),
    (
        rules::ONE_LOCATION_PER_MEMBER,
        "class booking and collective calendars allow one locationConfiguration per team member",
    ),
    (
        rules::NO_CONFERENCE_ON_EVENT,
        "event calendars take no Zoom, Google Meet or Teams conference location",
    ),
    (
        rules::NO_LOCATION_FOR_CONFERENCE,
        "a conference locationConfiguration has no location",
    ),
    (
        rules::DATE_FORMAT,
        "an availability date is YYYY-MM-DDT00:00:00.000Z",
    ),
    (
        rules::REDIRECT_NEEDS_URL,
        "formSubmitType RedirectURL needs formSubmitRedirectURL",
    ),
    (
        rules::PERCENTAGE,
        "lookBusyConfig.LookBusyPercentage is 0 to 100",
    ),
    (rules::OPEN_BEFORE_CLOSE, "an hour opens before it closes"),
    (
        rules::NOT_NEGATIVE,
        "durations, counts and buffers are not negative",
    ),
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_rule_says_what_it_requires() {
        assert_eq!(super::SAYS.len(), crate::rules::ALL.len());
        for (rule, _) in super::SAYS {
            assert!(crate::rules::ALL.contains(rule), "{}", rule.name());
        }
    }
}
