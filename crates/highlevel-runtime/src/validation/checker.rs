//! The [`Checker`] that generated and hand-written rules report to, and the [`Validate`] trait.

use super::{Rule, Validation, ValidationError, Violation};
use std::fmt::Write;

/// A value that can be checked before it is sent. build.rs implements it for every type a
/// request body uses, from the document's constraints; the rules HighLevel states in words are
/// added by hand in the client's crate.
pub trait Validate {
    /// Reports every broken rule to `checker`, relative to the checker's current path.
    fn validate(&self, checker: &mut Checker<'_>);
}

impl<T: Validate + ?Sized> Validate for &T {
    fn validate(&self, checker: &mut Checker<'_>) {
        (**self).validate(checker);
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate(&self, checker: &mut Checker<'_>) {
        if let Some(value) = self {
            value.validate(checker);
        }
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate(&self, checker: &mut Checker<'_>) {
        for (i, item) in self.iter().enumerate() {
            checker.index(i, |c| item.validate(c));
        }
    }
}

impl<T: Validate + ?Sized> Validate for Box<T> {
    fn validate(&self, checker: &mut Checker<'_>) {
        (**self).validate(checker);
    }
}

enum Segment {
    Field(&'static str),
    Index(usize),
}

/// Collects violations while a value is walked, tracking where in the body it is. Violations
/// of rules the [`Validation`] skips are never recorded, and no path text is built unless a
/// violation is.
pub struct Checker<'v> {
    validation: &'v Validation,
    path: Vec<Segment>,
    violations: Vec<Violation>,
}

impl<'v> Checker<'v> {
    /// A checker for the rules `validation` selects, at the root of the body.
    pub fn new(validation: &'v Validation) -> Checker<'v> {
        Checker {
            validation,
            path: Vec::new(),
            violations: Vec::new(),
        }
    }

    /// The rules being checked.
    pub fn validation(&self) -> &'v Validation {
        self.validation
    }

    /// Whether `rule` is checked.
    pub fn checks(&self, rule: Rule) -> bool {
        self.validation.checks(rule)
    }

    /// Runs `f` one field deeper.
    pub fn field<R>(&mut self, name: &'static str, f: impl FnOnce(&mut Self) -> R) -> R {
        self.path.push(Segment::Field(name));
        let result = f(self);
        self.path.pop();
        result
    }

    /// Runs `f` on the item at `index` of the current list.
    pub fn index<R>(&mut self, index: usize, f: impl FnOnce(&mut Self) -> R) -> R {
        self.path.push(Segment::Index(index));
        let result = f(self);
        self.path.pop();
        result
    }

    /// Checks a nested value under `name`.
    pub fn nested<T: Validate + ?Sized>(&mut self, name: &'static str, value: &T) {
        self.field(name, |c| value.validate(c));
    }

    /// The current path followed by `relative` (a field name or a dotted path; empty for the
    /// current path itself).
    fn path_to(&self, relative: &str) -> String {
        let mut out = String::new();
        for segment in &self.path {
            match segment {
                Segment::Field(name) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                }
                Segment::Index(i) => {
                    let _ = write!(out, "[{i}]");
                }
            }
        }
        if !relative.is_empty() {
            if !out.is_empty() && !relative.starts_with('[') {
                out.push('.');
            }
            out.push_str(relative);
        }
        out
    }

    /// Records a violation of `rule` at `relative` (see [`Checker::report`]), unless the rule
    /// is skipped.
    pub fn report_at(&mut self, relative: impl AsRef<str>, rule: Rule, message: impl Into<String>) {
        if self.checks(rule) {
            self.violations.push(Violation {
                path: self.path_to(relative.as_ref()),
                rule,
                message: message.into(),
            });
        }
    }

    /// Records a violation of `rule` at the current path, unless the rule is skipped.
    pub fn report(&mut self, rule: Rule, message: impl Into<String>) {
        self.report_at("", rule, message);
    }

    /// A required text field must not be empty or blank.
    pub fn required_text(&mut self, name: &'static str, value: &str) {
        if value.trim().is_empty() {
            self.report_at(name, Rule::REQUIRED, "is required and must not be empty");
        }
    }

    /// A text's length in characters lies within `min..=max`.
    pub fn length(&mut self, name: &'static str, value: &str, min: Option<u64>, max: Option<u64>) {
        let len = value.chars().count() as u64;
        if min.is_some_and(|min| len < min) || max.is_some_and(|max| len > max) {
            let bounds = bounds(min, max);
            self.report_at(
                name,
                Rule::LENGTH,
                format!("has {len} characters; allowed: {bounds}"),
            );
        }
    }

    /// A text matches the document's `pattern` (`matched` is the generated code's verdict).
    pub fn pattern(&mut self, name: &'static str, matched: bool, pattern: &str) {
        if !matched {
            self.report_at(
                name,
                Rule::PATTERN,
                format!("does not match the pattern `{pattern}`"),
            );
        }
    }

    /// A number lies within `min..=max`.
    pub fn range(&mut self, name: &'static str, value: f64, min: Option<f64>, max: Option<f64>) {
        if min.is_some_and(|min| value < min) || max.is_some_and(|max| value > max) {
            let bounds = bounds(min, max);
            self.report_at(name, Rule::RANGE, format!("is {value}; allowed: {bounds}"));
        }
    }

    /// A number is one of `allowed`.
    pub fn allowed_number(&mut self, name: &'static str, value: f64, allowed: &[f64]) {
        if !allowed.contains(&value) {
            let list: Vec<String> = allowed.iter().map(f64::to_string).collect();
            self.report_at(
                name,
                Rule::ALLOWED_NUMBER,
                format!("is {value}; allowed: {}", list.join(", ")),
            );
        }
    }

    /// An enum value is one the document lists (`known` is the open enum's verdict).
    pub fn known(&mut self, name: &'static str, known: bool, value: &str, allowed: &[&str]) {
        if !known {
            self.report_at(
                name,
                Rule::ENUM_VALUE,
                format!("`{value}` is not one of {}", allowed.join(", ")),
            );
        }
    }

    /// A list's length lies within `min..=max`.
    pub fn items(&mut self, name: &'static str, len: usize, min: Option<u64>, max: Option<u64>) {
        let n = len as u64;
        if min.is_some_and(|min| n < min) || max.is_some_and(|max| n > max) {
            let bounds = bounds(min, max);
            self.report_at(
                name,
                Rule::ITEMS,
                format!("has {len} items; allowed: {bounds}"),
            );
        }
    }

    /// Every violation found, or `Ok` when there is none.
    pub fn finish(self) -> Result<(), ValidationError> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(ValidationError {
                violations: self.violations,
            })
        }
    }
}

fn bounds<T: std::fmt::Display>(min: Option<T>, max: Option<T>) -> String {
    match (min, max) {
        (Some(min), Some(max)) => format!("{min} to {max}"),
        (Some(min), None) => format!("at least {min}"),
        (None, Some(max)) => format!("at most {max}"),
        (None, None) => "any".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Member {
        user_id: String,
        priority: Option<f64>,
    }

    impl Validate for Member {
        fn validate(&self, c: &mut Checker<'_>) {
            c.required_text("userId", &self.user_id);
            if let Some(p) = self.priority {
                c.allowed_number("priority", p, &[0.0, 0.5, 1.0]);
            }
        }
    }

    struct Body {
        members: Vec<Member>,
        name: String,
    }

    impl Validate for Body {
        fn validate(&self, c: &mut Checker<'_>) {
            c.length("name", &self.name, Some(1), Some(5));
            c.items("members", self.members.len(), Some(1), None);
            c.nested("members", &self.members);
        }
    }

    #[test]
    fn paths_name_fields_and_indexes() {
        let body = Body {
            name: "too long".into(),
            members: vec![
                Member {
                    user_id: "a".into(),
                    priority: None,
                },
                Member {
                    user_id: "".into(),
                    priority: Some(2.0),
                },
            ],
        };
        let error = super::super::check(&body, &Validation::default()).unwrap_err();
        assert!(error.has("name", Rule::LENGTH), "{error}");
        assert!(error.has("members[1].userId", Rule::REQUIRED), "{error}");
        assert!(
            error.has("members[1].priority", Rule::ALLOWED_NUMBER),
            "{error}"
        );
        assert_eq!(error.violations().len(), 3);

        let lenient = Validation::default().skip(Rule::LENGTH);
        let error = super::super::check(&body, &lenient).unwrap_err();
        assert!(!error.has("name", Rule::LENGTH));
    }
}

/// A number a generated check reads: the document's `number` ([`Number`](crate::Number)) and
/// `integer` types.
pub trait ToF64 {
    /// The value as an `f64`.
    fn to_f64(&self) -> f64;
}

macro_rules! to_f64 {
    ($($t:ty),*) => {
        $(
            impl ToF64 for $t {
                fn to_f64(&self) -> f64 {
                    *self as f64
                }
            }
        )*
    };
}

to_f64!(f64, f32, i64, i32, i16, i8, u64, u32, u16, u8);

impl ToF64 for crate::Number {
    fn to_f64(&self) -> f64 {
        self.get()
    }
}

macro_rules! non_zero_to_f64 {
    ($($t:ty),*) => {
        $(
            impl ToF64 for $t {
                fn to_f64(&self) -> f64 {
                    self.get() as f64
                }
            }
        )*
    };
}

non_zero_to_f64!(
    std::num::NonZeroU64,
    std::num::NonZeroU32,
    std::num::NonZeroI64,
    std::num::NonZeroI32
);
