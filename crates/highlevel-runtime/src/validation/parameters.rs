//! [`Parameters`]: what a request's parameter setters found, checked when it is sent.

use super::{Checker, Rule, Validation, ValidationError, Violation};

/// The parameters a request was given: the required ones left out, the number parameters with
/// their stated range, and the values that could not be converted. Generated request types
/// fill it in their setters and check it before sending, with the request's [`Validation`].
///
/// ```
/// use highlevel_runtime::validation::{Parameters, Rule, Validation};
///
/// let mut parameters = Parameters::default();
/// parameters.number("limit", 50.0, Some(1.0), Some(20.0));
/// let error = parameters.check(&Validation::default()).unwrap_err();
/// assert!(error.has("limit", Rule::RANGE));
/// assert!(parameters.check(&Validation::off()).is_ok());
///
/// // Every required parameter left out is named, not only the first.
/// let mut slots = Parameters::requiring(&["startDate", "endDate", "timezone"]);
/// slots.given("timezone");
/// let error = slots.check(&Validation::off()).unwrap_err();
/// assert!(error.has("startDate", Rule::REQUIRED) && error.has("endDate", Rule::REQUIRED));
/// assert!(!error.has("timezone", Rule::REQUIRED));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Parameters {
    required: &'static [&'static str],
    given: Vec<&'static str>,
    numbers: Vec<(&'static str, f64, Option<f64>, Option<f64>)>,
    invalid: Vec<(&'static str, String)>,
}

impl Parameters {
    /// Parameters of an operation whose document requires `names` (query parameters, by their
    /// names in the document).
    pub fn requiring(names: &'static [&'static str]) -> Parameters {
        Parameters {
            required: names,
            ..Parameters::default()
        }
    }

    /// Records that the parameter `name` was given a value.
    pub fn given(&mut self, name: &'static str) {
        if !self.given.contains(&name) {
            self.given.push(name);
        }
    }

    /// Records the number parameter `name` and the range the document states for it.
    pub fn number(&mut self, name: &'static str, value: f64, min: Option<f64>, max: Option<f64>) {
        self.numbers.retain(|(n, ..)| *n != name);
        self.numbers.push((name, value, min, max));
    }

    /// Records a value for `name` that could not be converted to the parameter's type.
    pub fn invalid(&mut self, name: &'static str, message: impl std::fmt::Display) {
        self.invalid.push((name, message.to_string()));
    }

    /// Every problem found, or `Ok` when there is none. A required parameter left out is
    /// always a problem (the request cannot be built without it); the ranges and conversions
    /// only as `validation` selects.
    pub fn check(&self, validation: &Validation) -> Result<(), ValidationError> {
        let missing: Vec<Violation> = self
            .required
            .iter()
            .filter(|name| !self.given.contains(name))
            .map(|name| Violation {
                path: (*name).to_string(),
                rule: Rule::REQUIRED,
                message: "is required".to_string(),
            })
            .collect();
        let rest = if (self.numbers.is_empty() && self.invalid.is_empty()) || validation.is_off() {
            Ok(())
        } else {
            let mut checker = Checker::new(validation);
            for &(name, value, min, max) in &self.numbers {
                checker.range(name, value, min, max);
            }
            for (name, message) in &self.invalid {
                checker.report_at(*name, Rule::TYPE, message.clone());
            }
            checker.finish()
        };
        match (missing.is_empty(), rest) {
            (true, rest) => rest,
            (false, Ok(())) => Err(ValidationError {
                violations: missing,
            }),
            (false, Err(rest)) => Err(ValidationError {
                violations: missing.into_iter().chain(rest.violations).collect(),
            }),
        }
    }
}
