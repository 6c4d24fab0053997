//! The catalogue of rules: one place, each with where it comes from.

/// Where a rule comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RuleSource {
    /// HighLevel's OpenAPI document: `required`, `minimum`/`maximum`, `enum`.
    Spec,
    /// HighLevel's words: the Create Calendar documentation page or a field description.
    Documented,
    /// Not stated by HighLevel, only evident from what the fields mean. Checked only by
    /// [`Validation::strict`](super::Validation::strict).
    Evident,
}

/// A rule a create-calendar request must follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Rule {
    /// A required field is missing, null or an empty string (`required` in the document:
    /// `locationId`, `name`, `teamMembers[].userId`, a location configuration's `kind`, every
    /// field of an open hour, an hour, an availability and of `lookBusyConfig`).
    Required,
    /// A field has the wrong JSON type (the document's `type`).
    Type,
    /// A number is outside the document's `minimum`/`maximum` (days of the week 0–6,
    /// hours 0–23, minutes 0–60, `recurring.count` at most 24).
    Range,
    /// A number is not one of the values the document allows (`priority` 0, 0.5 or 1;
    /// `availabilityType` 0 or 1).
    AllowedNumber,
    /// A string is not one of the document's enum values. Skip this rule to send a value
    /// HighLevel added after this crate was generated.
    EnumValue,
    /// Round robin, collective, class booking and service booking calendars need team members
    /// (documentation of `teamMembers`).
    TeamMembersRequired,
    /// A personal calendar has exactly one team member (documentation of `teamMembers`).
    PersonalHasOneMember,
    /// Recurring appointments need exactly one team member (documentation of
    /// `enableRecurring`).
    RecurringHasOneMember,
    /// A collective calendar needs a primary team member (documentation of `isPrimary`).
    CollectiveNeedsPrimary,
    /// At most one team member is primary (documentation of `isPrimary`).
    OnePrimaryMember,
    /// A team member may have several location configurations only when the calendar has one
    /// team member (documentation of `teamMembers[].locationConfigurations`).
    SeveralLocationsNeedOneMember,
    /// Class booking and collective calendars allow one location configuration per team member
    /// (documentation of `teamMembers[].locationConfigurations`).
    OneLocationPerMember,
    /// Zoom, Google Meet and Teams conferences are not supported on event calendars
    /// (documentation of `kind`).
    NoConferenceOnEvent,
    /// `location` does not apply to Zoom, Google Meet and Teams conferences (documentation of
    /// `location`).
    NoLocationForConference,
    /// An availability `date` is `YYYY-MM-DDT00:00:00.000Z` (documentation of `date`).
    DateFormat,
    /// `formSubmitType: RedirectURL` needs a `formSubmitRedirectURL` (evident).
    RedirectNeedsUrl,
    /// `lookBusyConfig.LookBusyPercentage` is a percentage, 0 to 100 (evident).
    Percentage,
    /// An hour opens before it closes (evident).
    OpenBeforeClose,
    /// Durations, counts and buffers are not negative (evident).
    NotNegative,
}

impl Rule {
    /// Every rule, in catalogue order.
    pub const ALL: &'static [Rule] = &[
        Rule::Required,
        Rule::Type,
        Rule::Range,
        Rule::AllowedNumber,
        Rule::EnumValue,
        Rule::TeamMembersRequired,
        Rule::PersonalHasOneMember,
        Rule::RecurringHasOneMember,
        Rule::CollectiveNeedsPrimary,
        Rule::OnePrimaryMember,
        Rule::SeveralLocationsNeedOneMember,
        Rule::OneLocationPerMember,
        Rule::NoConferenceOnEvent,
        Rule::NoLocationForConference,
        Rule::DateFormat,
        Rule::RedirectNeedsUrl,
        Rule::Percentage,
        Rule::OpenBeforeClose,
        Rule::NotNegative,
    ];

    /// Where the rule comes from.
    pub fn source(self) -> RuleSource {
        match self {
            Rule::Required | Rule::Type | Rule::Range | Rule::AllowedNumber | Rule::EnumValue => {
                RuleSource::Spec
            }
            Rule::TeamMembersRequired
            | Rule::PersonalHasOneMember
            | Rule::RecurringHasOneMember
            | Rule::CollectiveNeedsPrimary
            | Rule::OnePrimaryMember
            | Rule::SeveralLocationsNeedOneMember
            | Rule::OneLocationPerMember
            | Rule::NoConferenceOnEvent
            | Rule::NoLocationForConference
            | Rule::DateFormat => RuleSource::Documented,
            Rule::RedirectNeedsUrl
            | Rule::Percentage
            | Rule::OpenBeforeClose
            | Rule::NotNegative => RuleSource::Evident,
        }
    }

    /// A stable snake_case name, used in messages (and by the sandbox).
    pub fn name(self) -> &'static str {
        match self {
            Rule::Required => "required",
            Rule::Type => "type",
            Rule::Range => "range",
            Rule::AllowedNumber => "allowed_number",
            Rule::EnumValue => "enum_value",
            Rule::TeamMembersRequired => "team_members_required",
            Rule::PersonalHasOneMember => "personal_has_one_member",
            Rule::RecurringHasOneMember => "recurring_has_one_member",
            Rule::CollectiveNeedsPrimary => "collective_needs_primary",
            Rule::OnePrimaryMember => "one_primary_member",
            Rule::SeveralLocationsNeedOneMember => "several_locations_need_one_member",
            Rule::OneLocationPerMember => "one_location_per_member",
            Rule::NoConferenceOnEvent => "no_conference_on_event",
            Rule::NoLocationForConference => "no_location_for_conference",
            Rule::DateFormat => "date_format",
            Rule::RedirectNeedsUrl => "redirect_needs_url",
            Rule::Percentage => "percentage",
            Rule::OpenBeforeClose => "open_before_close",
            Rule::NotNegative => "not_negative",
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
