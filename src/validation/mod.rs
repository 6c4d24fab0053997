//! Checking a create-calendar request against HighLevel's rules before it is sent.
//!
//! Every rule lives in [`Rule`], with where it comes from ([`RuleSource`]): the OpenAPI
//! document (required fields, ranges, allowed values), the documentation page and the
//! field descriptions (team member and location rules), or, kept apart, rules that are only
//! evident from the meaning of the fields and that HighLevel does not state.
//!
//! Rules run on the JSON the client would send, so the same check serves the client, the
//! sandbox and anyone holding a raw body. All violations are reported at once, each naming the
//! field path (`teamMembers[1].locationConfigurations`) and the rule.
//!
//! ```
//! use highlevel_calendars::validation::{validate, Rule, Validation};
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
//! assert_eq!(err.violations()[0].rule, Rule::PersonalHasOneMember);
//!
//! // HighLevel relaxed a rule before this crate did? Skip it for this request.
//! assert!(validate(&body, &Validation::default().skip(Rule::PersonalHasOneMember)).is_ok());
//! ```

mod documented;
mod evident;
mod facts;
mod rules;
mod schema;
mod spec_rules;
mod typed;

pub use rules::{Rule, RuleSource};

use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;

/// Which rules a request is checked against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validation {
    level: Level,
    skipped: BTreeSet<Rule>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    Off,
    Stated,
    Strict,
}

impl Default for Validation {
    /// The rules HighLevel states (document and docs page); evident rules are off.
    fn default() -> Self {
        Validation::stated()
    }
}

impl Validation {
    /// Only the rules HighLevel states in its document and on its documentation page.
    pub fn stated() -> Self {
        Validation {
            level: Level::Stated,
            skipped: BTreeSet::new(),
        }
    }

    /// The stated rules plus those only evident from the fields' meaning (open before close,
    /// a redirect URL for `RedirectURL`, percentages up to 100, no negative durations).
    /// HighLevel's own example breaks two of them, which is why they are opt-in.
    pub fn strict() -> Self {
        Validation {
            level: Level::Strict,
            skipped: BTreeSet::new(),
        }
    }

    /// No checks: the body goes to HighLevel as it is.
    pub fn off() -> Self {
        Validation {
            level: Level::Off,
            skipped: BTreeSet::new(),
        }
    }

    /// Skips one rule (for example one HighLevel relaxed before this crate did).
    pub fn skip(mut self, rule: Rule) -> Self {
        self.skipped.insert(rule);
        self
    }

    /// Whether `rule` is checked.
    pub fn checks(&self, rule: Rule) -> bool {
        let level_allows = !matches!(
            (self.level, rule.source()),
            (Level::Off, _) | (Level::Stated, RuleSource::Evident)
        );
        level_allows && !self.skipped.contains(&rule)
    }

    /// Whether any rule is checked.
    pub fn is_off(&self) -> bool {
        self.level == Level::Off
    }
}

/// One broken rule.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Violation {
    /// Path of the field in the JSON body, such as `teamMembers[1].locationConfigurations`.
    pub path: String,
    /// The rule.
    pub rule: Rule,
    /// What is wrong, for people.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {} [{}]", self.path, self.message, self.rule.name())
    }
}

/// The request breaks one or more rules; it was not sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    violations: Vec<Violation>,
}

impl ValidationError {
    /// Every broken rule, in the order of the body.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Whether some violation is at `path` for `rule`.
    pub fn has(&self, path: &str, rule: Rule) -> bool {
        self.violations
            .iter()
            .any(|v| v.path == path && v.rule == rule)
    }

    pub(crate) fn single(path: &str, rule: Rule, message: impl Into<String>) -> ValidationError {
        ValidationError {
            violations: vec![Violation {
                path: path.to_string(),
                rule,
                message: message.into(),
            }],
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.violations.as_slice() {
            [one] => write!(f, "{one}"),
            many => {
                write!(f, "{} problems: ", many.len())?;
                for (i, v) in many.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{v}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ValidationError {}

/// Collects violations, dropping those of rules the caller skipped.
pub(crate) struct Report<'a> {
    validation: &'a Validation,
    violations: Vec<Violation>,
}

impl Report<'_> {
    /// Whether any rule from `source` is checked.
    fn checks_any(&self, source: RuleSource) -> bool {
        Rule::ALL
            .iter()
            .any(|&rule| rule.source() == source && self.validation.checks(rule))
    }

    /// Runs the rules that read [`facts::Facts`] (the evident ones only when `evident`) and
    /// returns every violation found.
    fn finish(mut self, facts: &facts::Facts, evident: bool) -> Result<(), ValidationError> {
        documented::check(facts, &mut self);
        if evident {
            evident::check(facts, &mut self);
        }
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(ValidationError {
                violations: self.violations,
            })
        }
    }

    pub(crate) fn add(&mut self, path: impl Into<String>, rule: Rule, message: impl Into<String>) {
        if self.validation.checks(rule) {
            self.violations.push(Violation {
                path: path.into(),
                rule,
                message: message.into(),
            });
        }
    }
}

/// Checks a create-calendar body (as JSON) against the rules `validation` selects.
pub fn validate(body: &Value, validation: &Validation) -> Result<(), ValidationError> {
    run(
        validation,
        |report| spec_rules::check(body, report),
        |evident| facts::Facts::from_json(body, evident),
    )
}

/// Checks a typed create-calendar body: the same rules as [`validate`] on the JSON it would
/// send, without building that JSON.
pub fn validate_request(
    body: &crate::types::CalendarCreateDto,
    validation: &Validation,
) -> Result<(), ValidationError> {
    run(
        validation,
        |report| typed::check(body, report),
        |evident| facts::Facts::from_typed(body, evident),
    )
}

/// Runs the spec rules, then the documented and (when selected) evident rules over the facts
/// `facts` gathers; `facts` is told whether the evident rules run, so it can skip what only
/// they read.
fn run<'b>(
    validation: &Validation,
    spec: impl FnOnce(&mut Report),
    facts: impl FnOnce(bool) -> facts::Facts<'b>,
) -> Result<(), ValidationError> {
    if validation.is_off() {
        return Ok(());
    }
    let mut report = Report {
        validation,
        violations: Vec::new(),
    };
    spec(&mut report);
    let evident = report.checks_any(RuleSource::Evident);
    report.finish(&facts(evident), evident)
}
