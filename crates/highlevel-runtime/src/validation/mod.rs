//! Checking a request before it is sent.
//!
//! The rules come in three kinds ([`RuleSource`]): those the OpenAPI document states, checked by
//! code build.rs writes from the document (an implementation of [`Validate`] per request type);
//! those HighLevel states only in words, written by hand once per type in the generated
//! client's crate; and, kept apart, rules only evident from what fields mean. Every violation is
//! reported at once, each naming the field path (`teamMembers[1].userId`) and the rule, and the
//! request is not sent.
//!
//! The same check serves the client, a sandbox and anyone holding a raw JSON body
//! ([`check_json`]).

pub(crate) mod checker;
pub(crate) mod json;
pub(crate) mod parameters;
mod rule;

pub use checker::{Checker, Validate};
pub(crate) use json::camel_case;
pub use json::check_json;
pub(crate) use json::conversion_error;
pub use rule::{Rule, RuleSource};

use std::collections::BTreeSet;
use std::fmt;

/// Which rules a client (or one request) checks before sending.
///
/// ```
/// use highlevel_runtime::validation::{Rule, Validation};
///
/// let default = Validation::default();
/// assert!(default.checks(Rule::REQUIRED));
/// assert!(!default.checks(Rule::evident("open_before_close")));
/// assert!(Validation::strict().checks(Rule::evident("open_before_close")));
/// assert!(!default.clone().skip(Rule::ENUM_VALUE).checks(Rule::ENUM_VALUE));
/// assert!(Validation::off().is_off());
/// ```
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
    /// [`Validation::stated`].
    fn default() -> Self {
        Validation::stated()
    }
}

impl Validation {
    /// The rules HighLevel states, in its document or in words (the default).
    pub fn stated() -> Self {
        Validation {
            level: Level::Stated,
            skipped: BTreeSet::new(),
        }
    }

    /// The stated rules and the evident ones.
    pub fn strict() -> Self {
        Validation {
            level: Level::Strict,
            skipped: BTreeSet::new(),
        }
    }

    /// No rule: the request is sent as it is.
    pub fn off() -> Self {
        Validation {
            level: Level::Off,
            skipped: BTreeSet::new(),
        }
    }

    /// Leaves `rule` out, for example when HighLevel relaxed it before the client did.
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

    /// Whether evident rules are checked (some are skipped; others may be).
    pub fn checks_evident(&self) -> bool {
        self.level == Level::Strict
    }

    /// Whether no rule at all is checked ([`Validation::off`]).
    pub fn is_off(&self) -> bool {
        self.level == Level::Off
    }
}

/// One broken rule.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Violation {
    /// Path of the field in the JSON body, such as `teamMembers[1].locationConfigurations`;
    /// a path or query parameter is named as the document names it (`contactId`).
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
    /// One violation.
    pub fn single(path: &str, rule: Rule, message: impl Into<String>) -> ValidationError {
        ValidationError {
            violations: vec![Violation {
                path: path.to_string(),
                rule,
                message: message.into(),
            }],
        }
    }

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

/// Checks `value` against the rules `validation` selects.
///
/// ```
/// use highlevel_runtime::validation::{check, Checker, Rule, Validate, Validation};
///
/// struct Note { body: String }
/// impl Validate for Note {
///     fn validate(&self, c: &mut Checker<'_>) {
///         c.required_text("body", &self.body);
///     }
/// }
/// let error = check(&Note { body: " ".into() }, &Validation::default()).unwrap_err();
/// assert!(error.has("body", Rule::REQUIRED));
/// assert!(check(&Note { body: " ".into() }, &Validation::off()).is_ok());
/// ```
pub fn check<T: Validate + ?Sized>(
    value: &T,
    validation: &Validation,
) -> Result<(), ValidationError> {
    if validation.is_off() {
        return Ok(());
    }
    let mut checker = Checker::new(validation);
    value.validate(&mut checker);
    checker.finish()
}
