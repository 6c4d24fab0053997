//! The values HighLevel fills in for fields a request leaves out.
//!
//! The normalizer moves each `default` of the request schemas into the field's description as
//! "Server default: `X`." (a client must not send them unasked), so the document still says
//! what the server does. The sandbox reads them back from there: the defaults follow the
//! document, with no table to keep in step.

use crate::operations;
use highlevel_sandbox::Document;
use serde_json::Value;

const MARKER: &str = "Server default: `";

/// The server default stated in a field's description, if any.
pub(crate) fn stated_default(description: &str) -> Option<Value> {
    let start = description.find(MARKER)? + MARKER.len();
    let end = start + description[start..].find('`')?;
    serde_json::from_str(&description[start..end]).ok()
}

/// Fills every field `body` leaves out (absent, not `null`) that has a server default, at any
/// depth: `isActive`, `slotDuration`, `teamMembers[].priority` and so on.
pub(crate) fn apply(document: &'static Document, body: &mut Value) {
    let root = document
        .operation(operations::CREATE_CALENDAR.id)
        .and_then(|op| document.body_schema(op));
    if let Some(root) = root {
        fill(document, body, root);
    }
}

fn fill(document: &'static Document, value: &mut Value, schema: &'static Value) {
    let schema = document.resolve(schema);
    match value {
        Value::Object(fields) => {
            let Some(properties) = schema["properties"].as_object() else {
                return;
            };
            for (name, property) in properties {
                match fields.get_mut(name) {
                    Some(field) => fill(document, field, property),
                    None => {
                        if let Some(default) =
                            property["description"].as_str().and_then(stated_default)
                        {
                            fields.insert(name.clone(), default);
                        }
                    }
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                fill(document, item, &schema["items"]);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_default_out_of_a_description() {
        assert_eq!(
            stated_default("Maximum bookings per slot.\n\nServer default: `1`."),
            Some(json!(1))
        );
        assert_eq!(
            stated_default("Server default: `\"#039be5\"`."),
            Some(json!("#039be5"))
        );
        assert_eq!(stated_default("Apply Look Busy"), None);
    }

    #[test]
    fn fills_the_documented_defaults_and_keeps_what_was_sent() {
        let mut body = json!({
            "locationId": "l",
            "name": "n",
            "slotDuration": 45,
            "autoConfirm": null,
            "teamMembers": [{"userId": "a"}, {"userId": "b", "priority": 1}],
            "availabilities": [{"date": "2023-09-24T00:00:00.000Z", "hours": []}],
            "notifications": [{"selectedUsers": ""}]
        });
        apply(super::super::API.document(), &mut body);
        let expected = [
            ("isActive", json!(true)),
            ("autoConfirm", json!(null)),
            ("slotDuration", json!(45)),
            ("eventType", json!("RoundRobin_OptimizeForAvailability")),
            ("widgetType", json!("classic")),
            ("eventTitle", json!("{{contact.name}}")),
            ("eventColor", json!("#039be5")),
            ("slotInterval", json!(30)),
            ("appoinmentPerSlot", json!(1)),
            ("enableRecurring", json!(false)),
            ("googleInvitationEmails", json!(false)),
            ("allowReschedule", json!(true)),
            ("allowCancellation", json!(true)),
            ("formSubmitType", json!("ThankYouMessage")),
        ];
        for (field, value) in expected {
            assert_eq!(body[field], value, "{field}");
        }
        assert_eq!(body["teamMembers"][0]["priority"], json!(0.5));
        assert_eq!(body["teamMembers"][1]["priority"], json!(1));
        assert_eq!(body["availabilities"][0]["deleted"], json!(false));
        assert_eq!(body["notifications"][0]["type"], json!("email"));
        assert!(body.get("lookBusyConfig").is_none(), "no object is made up");
    }
}
