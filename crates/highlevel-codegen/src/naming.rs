//! Rust names for the document's names.

/// `create-calendar` -> `create_calendar`, `getAllSchedules` -> `get_all_schedules`,
/// `RedirectURL` -> `redirect_url`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for word in words(name) {
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    out
}

/// The Rust name progenitor gives a parameter: its snake case, with `_` after a keyword
/// (`type` -> `type_`).
pub fn parameter_name(name: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else",
        "enum", "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match",
        "mod", "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait",
        "true", "try", "type", "unsafe", "use", "where", "while", "yield",
    ];
    let mut out = snake_case(name);
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// `create-calendar` -> `CREATE_CALENDAR`.
pub fn screaming_snake_case(name: &str) -> String {
    snake_case(name).to_ascii_uppercase()
}

/// `round_robin` -> `RoundRobin`, `RoundRobin_OptimizeForAvailability` ->
/// `RoundRobinOptimizeForAvailability`, `DAILY` -> `Daily`, `RedirectURL` -> `RedirectUrl`;
/// a leading digit gets a `V` in front.
pub fn pascal_case(value: &str) -> String {
    let mut out = String::new();
    for word in value.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = word.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let prev_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if i == 0 {
                out.push(c.to_ascii_uppercase());
            } else if c.is_ascii_uppercase() && prev_upper && !next_lower {
                // Inside an acronym or an all-caps word: `URL` -> `Url`.
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// The words of an identifier: split at non-alphanumerics, at lower-to-upper changes and
/// before the last capital of an acronym (`URLPath` -> `URL`, `Path`).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut word = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let boundary = i > 0
                && c.is_ascii_uppercase()
                && (chars[i - 1].is_ascii_lowercase()
                    || chars[i - 1].is_ascii_digit()
                    || (chars[i - 1].is_ascii_uppercase()
                        && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())));
            if boundary && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            word.push(c);
        }
        if !word.is_empty() {
            words.push(word);
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake_case("create-calendar"), "create_calendar");
        assert_eq!(snake_case("getAllSchedules"), "get_all_schedules");
        assert_eq!(
            snake_case("formSubmitRedirectURL"),
            "form_submit_redirect_url"
        );
        assert_eq!(
            screaming_snake_case("getScheduleById"),
            "GET_SCHEDULE_BY_ID"
        );
        assert_eq!(pascal_case("RedirectURL"), "RedirectUrl");
        assert_eq!(pascal_case("round_robin"), "RoundRobin");
        assert_eq!(pascal_case("30"), "V30");
    }
}
