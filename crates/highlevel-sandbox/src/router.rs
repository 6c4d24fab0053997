//! Which operation a request is for: its method and path matched against the path templates of
//! the API's operations, segment by segment.
//!
//! A `{name}` segment matches one non-empty segment; a literal segment matches itself. When
//! several templates match (`/calendars/events` and `/calendars/{calendarId}`), literal
//! segments win over parameters, leftmost first, and the path is that template's alone: other
//! methods are refused with the methods it has, not served by a less literal one. A trailing
//! `/` is not significant, as for HighLevel's server (`/calendars` is `/calendars/`).

use highlevel_runtime::Operation;

/// Where a request goes.
#[derive(Debug, PartialEq)]
pub(crate) enum Route {
    /// An operation, with its path parameters (percent-decoded), in template order.
    Operation {
        operation: &'static Operation,
        params: Vec<(&'static str, String)>,
    },
    /// The path is known but not with this method; these methods are.
    WrongMethod { allowed: Vec<&'static str> },
    /// No template matches the path.
    NotFound,
}

#[derive(Debug)]
enum Segment {
    Literal(&'static str),
    Param(&'static str),
}

/// The path templates of an API's operations, split once.
#[derive(Debug)]
pub(crate) struct Router {
    templates: Vec<(&'static Operation, Vec<Segment>)>,
}

impl Router {
    pub(crate) fn new(operations: &'static [&'static Operation]) -> Router {
        let templates = operations
            .iter()
            .map(|&operation| {
                let segments = segments(operation.path)
                    .into_iter()
                    .map(
                        |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(name) => Segment::Param(name),
                            None => Segment::Literal(s),
                        },
                    )
                    .collect();
                (operation, segments)
            })
            .collect();
        Router { templates }
    }
}

/// `/calendars/abc/` -> `["calendars", "abc"]`; `/` -> `[""]`.
fn segments(path: &str) -> Vec<&str> {
    let path = path.strip_prefix('/').unwrap_or(path);
    let path = path.strip_suffix('/').unwrap_or(path);
    path.split('/').collect()
}

/// How well `template` matches `path`: one flag per segment, `true` for a literal, so that
/// comparing two scores prefers literals leftmost. `None` when it does not match.
fn score(template: &[Segment], path: &[&str]) -> Option<Vec<bool>> {
    if template.len() != path.len() {
        return None;
    }
    template
        .iter()
        .zip(path)
        .map(|(want, got)| match want {
            Segment::Literal(literal) => (literal == got).then_some(true),
            Segment::Param(_) => (!got.is_empty()).then_some(false),
        })
        .collect()
}

/// Methods in the order an `Allow` header lists them.
const METHOD_ORDER: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

impl Router {
    /// The route of `method` and `path` (the path without its query).
    pub(crate) fn route(&self, method: &str, path: &str) -> Route {
        let path = segments(path);
        let mut matching: Vec<(&'static Operation, &[Segment], Vec<bool>)> = self
            .templates
            .iter()
            .filter_map(|(op, template)| Some((*op, template.as_slice(), score(template, &path)?)))
            .collect();
        // The path belongs to its most literal template alone, so that `Allow` lists exactly
        // the methods documented for it: `PUT /calendars/events` is a 405, not an update of
        // calendar `events`.
        let Some(most_literal) = matching.iter().map(|(.., score)| score).max().cloned() else {
            return Route::NotFound;
        };
        matching.retain(|(.., score)| *score == most_literal);
        let best = matching
            .iter()
            .find(|(op, ..)| op.method.eq_ignore_ascii_case(method));
        let Some((operation, template, _)) = best else {
            let mut allowed: Vec<&'static str> =
                matching.iter().map(|(op, ..)| op.method).collect();
            allowed.sort_by_key(|m| METHOD_ORDER.iter().position(|o| o == m));
            allowed.dedup();
            return Route::WrongMethod { allowed };
        };
        let params = template
            .iter()
            .zip(&path)
            .filter_map(|(segment, value)| match segment {
                Segment::Param(name) => Some((*name, decode_segment(value))),
                Segment::Literal(_) => None,
            })
            .collect();
        Route::Operation { operation, params }
    }
}

/// The query's `name=value` pairs, decoded (`+` is a space), in order; a malformed escape stays
/// as it is.
pub(crate) fn query_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// A path segment with its `%XX` escapes decoded (`+` stays a plus).
fn decode_segment(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: &str, path: &str) -> Route {
        use std::sync::OnceLock;
        static ROUTER: OnceLock<Router> = OnceLock::new();
        ROUTER
            .get_or_init(|| Router::new(calendars().operations()))
            .route(method, path)
    }

    use crate::fixture::calendars;

    fn id_of(route: Route) -> (&'static str, Vec<(&'static str, String)>) {
        match route {
            Route::Operation { operation, params } => (operation.id, params),
            other => panic!("expected an operation, got {other:?}"),
        }
    }

    #[test]
    fn literals_win_over_parameters() {
        let (id, params) = id_of(route("GET", "/calendars/events"));
        assert_eq!(id, "get-calendar-events");
        assert!(params.is_empty());
        let (id, params) = id_of(route("GET", "/calendars/abc"));
        assert_eq!(id, "get-calendar");
        assert_eq!(params, [("calendarId", "abc".to_string())]);
        // `/calendars/events` is a resource of its own: no PUT there, even though
        // `/calendars/{calendarId}` has one.
        assert_eq!(
            route("PUT", "/calendars/events"),
            Route::WrongMethod {
                allowed: vec!["GET"]
            }
        );
    }

    #[test]
    fn trailing_slashes_and_escapes() {
        assert_eq!(id_of(route("GET", "/calendars")).0, "get-calendars");
        assert_eq!(id_of(route("POST", "/calendars/")).0, "create-calendar");
        let (id, params) = id_of(route("delete", "/calendars/c%201/notifications/n%2F2/"));
        assert_eq!(id, "delete-event-notification");
        assert_eq!(
            params,
            [
                ("calendarId", "c 1".into()),
                ("notificationId", "n/2".into())
            ]
        );
    }

    #[test]
    fn unknown_paths_and_methods() {
        assert_eq!(route("GET", "/contacts/"), Route::NotFound);
        assert_eq!(route("GET", "/calendars//notes"), Route::NotFound);
        assert_eq!(route("GET", "/"), Route::NotFound);
        assert_eq!(
            route("PATCH", "/calendars/abc"),
            Route::WrongMethod {
                allowed: vec!["GET", "PUT", "DELETE"]
            }
        );
        // Only the literal template's methods, though `/calendars/{calendarId}` matches too.
        assert_eq!(
            route("POST", "/calendars/events"),
            Route::WrongMethod {
                allowed: vec!["GET"]
            }
        );
        assert_eq!(
            route("OPTIONS", "/calendars/groups"),
            Route::WrongMethod {
                allowed: vec!["GET", "POST"]
            }
        );
    }

    #[test]
    fn every_template_routes_to_its_operation() {
        for operation in calendars().operations() {
            let path = operation
                .path
                .split('/')
                .map(|s| if s.starts_with('{') { "x1" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            let (id, _) = id_of(route(operation.method, &path));
            assert_eq!(id, operation.id, "{path}");
        }
    }

    #[test]
    fn queries_decode() {
        assert_eq!(
            query_pairs("locationId=l%201&showDrafted=false&q=a+b&flag&&x=%zz"),
            [
                ("locationId".to_string(), "l 1".to_string()),
                ("showDrafted".into(), "false".into()),
                ("q".into(), "a b".into()),
                ("flag".into(), String::new()),
                ("x".into(), "%zz".into()),
            ]
        );
    }
}
