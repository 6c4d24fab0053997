//! The rules HighLevel states for calendars only in words, and a few only evident from what the
//! fields mean, checked on create **and** update bodies before they are sent.
//!
//! The rules the OpenAPI document states (required fields, ranges, allowed values, enum
//! values) are checked by code build.rs writes from the document. These are the rest: each is
//! a [`Rule`] constant below, named in every violation, and can be skipped per client or per
//! request with [`Validation::skip`](crate::Validation::skip). The evident ones
//! ([`RuleSource::Evident`](crate::validation::RuleSource::Evident)) run only with
//! [`Validation::strict`](crate::Validation::strict): HighLevel's own example breaks two.
//!
//! ```
//! use highlevel_calendars::rules::{self, validate};
//! use highlevel_calendars::Validation;
//! use serde_json::json;
//!
//! let body = json!({
//!     "locationId": "loc",
//!     "name": "Team",
//!     "calendarType": "personal",
//!     "teamMembers": [{"userId": "a"}, {"userId": "b"}]
//! });
//! let err = validate(&body, &Validation::default()).unwrap_err();
//! assert_eq!(err.violations()[0].path, "teamMembers");
//! assert_eq!(err.violations()[0].rule, rules::PERSONAL_HAS_ONE_MEMBER);
//!
//! // HighLevel relaxed a rule before this crate did? Skip it for this request.
//! let lenient = Validation::default().skip(rules::PERSONAL_HAS_ONE_MEMBER);
//! assert!(validate(&body, &lenient).is_ok());
//! ```

mod documented;
mod evident;
#[macro_use]
mod facts;

use crate::Validation;
use crate::types;
use highlevel_runtime::validation::{Checker, Rule, ValidationError, check_json};

/// Round robin, collective, class booking and service booking calendars need team members
/// (documentation of `teamMembers`).
pub const TEAM_MEMBERS_REQUIRED: Rule = Rule::documented("team_members_required");
/// A personal calendar has exactly one team member (documentation of `teamMembers`).
pub const PERSONAL_HAS_ONE_MEMBER: Rule = Rule::documented("personal_has_one_member");
/// Recurring appointments need exactly one team member (documentation of `enableRecurring`).
pub const RECURRING_HAS_ONE_MEMBER: Rule = Rule::documented("recurring_has_one_member");
/// A collective calendar needs a primary team member (documentation of `isPrimary`).
pub const COLLECTIVE_NEEDS_PRIMARY: Rule = Rule::documented("collective_needs_primary");
/// At most one team member is primary (documentation of `isPrimary`).
pub const ONE_PRIMARY_MEMBER: Rule = Rule::documented("one_primary_member");
/// A team member may have several location configurations only when the calendar has one team
/// member (documentation of `teamMembers[].locationConfigurations`).
pub const SEVERAL_LOCATIONS_NEED_ONE_MEMBER: Rule =
    Rule::documented("several_locations_need_one_member");
/// Class booking and collective calendars allow one location configuration per team member
/// (documentation of `teamMembers[].locationConfigurations`).
pub const ONE_LOCATION_PER_MEMBER: Rule = Rule::documented("one_location_per_member");
/// Zoom, Google Meet and Teams conferences are not supported on event calendars
/// (documentation of `kind`).
pub const NO_CONFERENCE_ON_EVENT: Rule = Rule::documented("no_conference_on_event");
/// `location` does not apply to Zoom, Google Meet and Teams conferences (documentation of
/// `location`).
pub const NO_LOCATION_FOR_CONFERENCE: Rule = Rule::documented("no_location_for_conference");
/// An availability `date` is `YYYY-MM-DDT00:00:00.000Z` (documentation of `date`).
pub const DATE_FORMAT: Rule = Rule::documented("date_format");
/// `formSubmitType: RedirectURL` needs a `formSubmitRedirectURL` (evident).
pub const REDIRECT_NEEDS_URL: Rule = Rule::evident("redirect_needs_url");
/// `lookBusyConfig.LookBusyPercentage` is a percentage, 0 to 100 (evident).
pub const PERCENTAGE: Rule = Rule::evident("percentage");
/// An hour opens before it closes (evident).
pub const OPEN_BEFORE_CLOSE: Rule = Rule::evident("open_before_close");
/// Durations, counts and buffers are not negative (evident).
pub const NOT_NEGATIVE: Rule = Rule::evident("not_negative");

/// Every rule of this module, documented ones first.
pub const ALL: &[Rule] = &[
    TEAM_MEMBERS_REQUIRED,
    PERSONAL_HAS_ONE_MEMBER,
    RECURRING_HAS_ONE_MEMBER,
    COLLECTIVE_NEEDS_PRIMARY,
    ONE_PRIMARY_MEMBER,
    SEVERAL_LOCATIONS_NEED_ONE_MEMBER,
    ONE_LOCATION_PER_MEMBER,
    NO_CONFERENCE_ON_EVENT,
    NO_LOCATION_FOR_CONFERENCE,
    DATE_FORMAT,
    REDIRECT_NEEDS_URL,
    PERCENTAGE,
    OPEN_BEFORE_CLOSE,
    NOT_NEGATIVE,
];

/// The hand-written checks of a create body; the generated `Validate` of
/// [`types::CalendarCreateDto`] calls it (the document names it in `x-highlevel-rules`).
pub(crate) fn create(body: &types::CalendarCreateDto, checker: &mut Checker<'_>) {
    let evident = checker.validation().checks_evident();
    run(&facts::Facts::of_create(body, evident), evident, checker);
}

/// The hand-written checks of an update body (the same rules; an update names no type).
pub(crate) fn update(body: &types::CalendarUpdateDto, checker: &mut Checker<'_>) {
    let evident = checker.validation().checks_evident();
    run(&facts::Facts::of_update(body, evident), evident, checker);
}

fn run(facts: &facts::Facts<'_>, evident: bool, checker: &mut Checker<'_>) {
    documented::check(facts, checker);
    if evident {
        evident::check(facts, checker);
    }
}

/// Checks a create-calendar body given as JSON, as the client checks a typed one: decoding
/// it (the first wrong type or missing required field stops there, naming its path), then
/// every rule `validation` selects, all reported at once. [`Validation::off`] checks nothing.
pub fn validate(body: &serde_json::Value, validation: &Validation) -> Result<(), ValidationError> {
    if validation.is_off() {
        return Ok(());
    }
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    check_json::<types::CalendarCreateDto>(&bytes, validation).map(|_| ())
}
