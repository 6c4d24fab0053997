//! Rules: what a request must follow, each named and with where it comes from.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// Where a rule comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RuleSource {
    /// The OpenAPI document: `required`, `enum`, `pattern`, lengths, `minimum`/`maximum`,
    /// `x-allowed-values`. Checked by code build.rs writes from the document.
    Spec,
    /// HighLevel's words: a documentation page or a field description. Written by hand.
    Documented,
    /// Not stated by HighLevel, only evident from what the fields mean. Checked only by
    /// [`Validation::strict`](super::Validation::strict).
    Evident,
}

/// A rule a request must follow, known by its snake_case name.
///
/// The rules the document states are constants here; a generated client adds the rules
/// HighLevel states only in words (see its `rules` module). Two rules are equal when their
/// names are.
///
/// ```
/// use highlevel_runtime::validation::{Rule, RuleSource};
///
/// const ONE_OWNER: Rule = Rule::documented("one_owner");
/// assert_eq!(ONE_OWNER.name(), "one_owner");
/// assert_eq!(ONE_OWNER.source(), RuleSource::Documented);
/// assert_eq!(Rule::REQUIRED.to_string(), "required");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    name: &'static str,
    source: RuleSource,
}

impl Rule {
    /// A required field is missing, null or an empty string.
    pub const REQUIRED: Rule = Rule::spec("required");
    /// A field has the wrong JSON type.
    pub const TYPE: Rule = Rule::spec("type");
    /// A number is outside the document's `minimum`/`maximum`.
    pub const RANGE: Rule = Rule::spec("range");
    /// A number is not one of the values the document allows (`x-allowed-values`, or a
    /// number `enum`).
    pub const ALLOWED_NUMBER: Rule = Rule::spec("allowed_number");
    /// A string is not one of the document's enum values. Skip this rule to send a value
    /// HighLevel added after the client was generated.
    pub const ENUM_VALUE: Rule = Rule::spec("enum_value");
    /// A string does not match the document's `pattern`.
    pub const PATTERN: Rule = Rule::spec("pattern");
    /// A string is shorter or longer than the document's `minLength`/`maxLength`.
    pub const LENGTH: Rule = Rule::spec("length");
    /// A list has fewer or more items than the document's `minItems`/`maxItems`.
    pub const ITEMS: Rule = Rule::spec("items");

    /// The rules the document states, which generated code checks.
    pub const SPEC: &'static [Rule] = &[
        Rule::REQUIRED,
        Rule::TYPE,
        Rule::RANGE,
        Rule::ALLOWED_NUMBER,
        Rule::ENUM_VALUE,
        Rule::PATTERN,
        Rule::LENGTH,
        Rule::ITEMS,
    ];

    const fn spec(name: &'static str) -> Rule {
        Rule {
            name,
            source: RuleSource::Spec,
        }
    }

    /// A rule HighLevel states in words.
    pub const fn documented(name: &'static str) -> Rule {
        Rule {
            name,
            source: RuleSource::Documented,
        }
    }

    /// A rule only evident from what the fields mean.
    pub const fn evident(name: &'static str) -> Rule {
        Rule {
            name,
            source: RuleSource::Evident,
        }
    }

    /// The stable snake_case name, used in messages (and by sandboxes).
    pub fn name(self) -> &'static str {
        self.name
    }

    /// Where the rule comes from.
    pub fn source(self) -> RuleSource {
        self.source
    }
}

impl PartialEq for Rule {
    fn eq(&self, other: &Rule) -> bool {
        self.name == other.name
    }
}

impl Eq for Rule {}

impl Hash for Rule {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl PartialOrd for Rule {
    fn partial_cmp(&self, other: &Rule) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Rule {
    fn cmp(&self, other: &Rule) -> Ordering {
        self.name.cmp(other.name)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}
