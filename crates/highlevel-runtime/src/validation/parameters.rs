//! [`Parameters`]: what a request's parameter setters found, checked when it is sent.

use super::{Checker, Rule, Validation, ValidationError};

/// The parameters a request was given: the number parameters with their stated range, and the
/// values that could not be converted. Generated request types fill it in their setters and
/// check it before sending, with the request's [`Validation`]. (A required parameter is an
/// argument of the client method, so none can be left out.)
#[derive(Clone, Debug, Default)]
pub struct Parameters {
    numbers: Vec<(&'static str, f64, Option<f64>, Option<f64>)>,
    invalid: Vec<(&'static str, String)>,
}

impl Parameters {
    /// Records the number parameter `name` and the range the document states for it.
    pub fn number(&mut self, name: &'static str, value: f64, min: Option<f64>, max: Option<f64>) {
        self.numbers.retain(|(n, ..)| *n != name);
        self.numbers.push((name, value, min, max));
    }

    /// Records a value for `name` that could not be converted to the parameter's type.
    pub fn invalid(&mut self, name: &'static str, message: impl std::fmt::Display) {
        self.invalid.push((name, message.to_string()));
    }

    /// Every problem found, or `Ok` when there is none: the ranges and conversions, as
    /// `validation` selects.
    pub fn check(&self, validation: &Validation) -> Result<(), ValidationError> {
        if (self.numbers.is_empty() && self.invalid.is_empty()) || validation.is_off() {
            return Ok(());
        }
        let mut checker = Checker::new(validation);
        for &(name, value, min, max) in &self.numbers {
            checker.range(name, value, min, max);
        }
        for (name, message) in &self.invalid {
            checker.report_at(*name, Rule::TYPE, message.clone());
        }
        checker.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_checked_as_validation_selects() {
        let mut parameters = Parameters::default();
        parameters.number("limit", 50.0, Some(1.0), Some(20.0));
        let error = parameters.check(&Validation::default()).unwrap_err();
        assert!(error.has("limit", Rule::RANGE));
        assert!(parameters.check(&Validation::off()).is_ok());
    }
}
