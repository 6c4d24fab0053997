//! Values of another JSON kind than the document declares, and `null` where it does not allow
//! it. The client's checker decodes bodies into its types, and serde is lenient where the
//! document is not: an optional field takes `null` as "absent", and a struct decodes from an
//! array of its fields in order. The server holds requests to the document.

use crate::check::{self, Wrong};
use crate::document::Document;
use serde_json::Value;

/// Every value of `body` whose kind its schema does not allow, as `path must be an object`
/// or `path must not be null` (paths as in a violation: `teamMembers[0].userId`). The rest of
/// what the schema says is the client's checker's to report, in its own words.
pub(crate) fn problems(
    doc: &'static Document,
    body_schema: &'static Value,
    body: &Value,
) -> Vec<String> {
    check::kind_problems(doc, body, body_schema)
        .into_iter()
        .filter_map(|problem| {
            let at = match problem.path.as_str() {
                "" => "body",
                path => path,
            };
            match problem.wrong {
                Wrong::Kind(expected) => Some(format!("{at} must be {expected}")),
                // A `null` body is the decoder's to refuse.
                Wrong::Null if !problem.path.is_empty() => Some(format!("{at} must not be null")),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::fixture::document as doc;

    fn body_of(id: &str) -> &'static Value {
        let doc = doc();
        doc.operation(id)
            .and_then(|op| doc.body_schema(op))
            .unwrap()
    }

    fn problems(body_schema: &'static Value, body: &Value) -> Vec<String> {
        super::problems(doc(), body_schema, body)
    }

    #[test]
    fn nulls_are_refused_where_the_document_does_not_allow_them() {
        let note = body_of("create-appointment-note");
        let found = problems(note, &json!({"body": "b", "userId": null}));
        assert_eq!(found, ["userId must not be null"]);
        assert!(problems(note, &json!({"body": "b", "userId": "u"})).is_empty());

        let create = body_of("create-calendar");
        let found = problems(
            create,
            &json!({"name": "n", "teamMembers": [{"userId": null}, null]}),
        );
        assert_eq!(
            found,
            [
                "teamMembers[0].userId must not be null",
                "teamMembers[1] must not be null"
            ]
        );
        let unknown = json!({"name": "n", "notInTheDocument": null});
        assert!(
            problems(create, &unknown).is_empty(),
            "extra fields are free"
        );
    }

    #[test]
    fn values_of_another_kind_are_refused() {
        let notification = body_of("update-event-notification");
        let found = problems(notification, &json!({"beforeTime": [[null, null]]}));
        assert_eq!(found, ["beforeTime[0] must be an object"]);
        let found = problems(notification, &json!({"beforeTime": {"timeOffset": 1}}));
        assert_eq!(found, ["beforeTime must be an array"]);
        let list = body_of("create-event-notification");
        assert_eq!(problems(list, &json!({})), ["body must be an array"]);
        let create = body_of("create-calendar");
        assert_eq!(
            problems(create, &json!({"slotDuration": "30", "autoConfirm": 1})),
            [
                "autoConfirm must be true or false",
                "slotDuration must be a number"
            ]
        );
    }
}
