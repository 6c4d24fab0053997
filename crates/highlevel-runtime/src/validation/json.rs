//! Checking a raw JSON body: decode it into the request type (the type rules), then run the
//! same checks as for a typed body.

use super::{Checker, Rule, Validate, Validation, ValidationError};
use serde::de::DeserializeOwned;

/// Decodes `body` as `T` and checks it as the client would check a `T` before sending it: a
/// wrong type or a missing required field is reported with its path, like every other rule.
///
/// ```
/// use highlevel_runtime::validation::{check_json, Checker, Rule, Validate, Validation};
///
/// #[derive(serde::Deserialize)]
/// struct Note { body: String }
/// impl Validate for Note {
///     fn validate(&self, c: &mut Checker<'_>) { c.required_text("body", &self.body); }
/// }
/// let error = check_json::<Note>(br#"{"title": "x"}"#, &Validation::default()).err().unwrap();
/// assert!(error.has("body", Rule::REQUIRED));
/// let error = check_json::<Note>(br#"{"body": 5}"#, &Validation::default()).err().unwrap();
/// assert!(error.has("body", Rule::TYPE));
/// ```
pub fn check_json<T: DeserializeOwned + Validate>(
    body: &[u8],
    validation: &Validation,
) -> Result<T, ValidationError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        decode_problem(&path, &e.into_inner().to_string())
    })?;
    deserializer
        .end()
        .map_err(|e| ValidationError::single("", Rule::TYPE, e.to_string()))?;
    if !validation.is_off() {
        let mut checker = Checker::new(validation);
        value.validate(&mut checker);
        checker.finish()?;
    }
    Ok(value)
}

/// serde reports a missing field at its parent: name the field itself.
fn decode_problem(path: &str, message: &str) -> ValidationError {
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        let full = if path.is_empty() {
            field.to_string()
        } else {
            format!("{path}.{field}")
        };
        return ValidationError::single(&full, Rule::REQUIRED, "is required");
    }
    let message = match message.find(" at line ") {
        Some(cut) => &message[..cut],
        None => message,
    };
    ValidationError::single(path, Rule::TYPE, message)
}

/// Turns the message of a failed conversion into a request type (a generated builder missing a
/// field says `no value supplied for location_id`) into a violation naming the field as the
/// JSON body does (`locationId`).
pub fn conversion_error(message: &str) -> ValidationError {
    match message.strip_prefix("no value supplied for ") {
        Some(field) => ValidationError::single(&camel_case(field), Rule::REQUIRED, "is required"),
        None => ValidationError::single("", Rule::TYPE, message.to_string()),
    }
}

/// `location_id` -> `locationId`.
pub(crate) fn camel_case(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_field_is_named_as_the_body_names_it() {
        let error = conversion_error("no value supplied for location_id");
        assert!(error.has("locationId", Rule::REQUIRED), "{error}");
    }
}
