//! Every resource the document describes is kept by the sandbox, through the generated client:
//! what is created can be read, listed, updated and deleted, then is gone (404), and what
//! lives under a calendar goes with it.
#![cfg(feature = "sandbox")]

mod common;

use common::sandbox::{body_of, json_of, status_of};
use highlevel_calendars::sandbox::Sandbox;
use highlevel_calendars::{Client, calendar, types};
use serde_json::json;

async fn started() -> (Sandbox, Client) {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client_builder().build().unwrap();
    (sandbox, client)
}

#[tokio::test]
async fn a_calendar_is_created_read_listed_updated_and_deleted() {
    let (sandbox, client) = started().await;
    let created = client
        .create_calendar(calendar::event("loc_crud", "First name"))
        .send()
        .await
        .unwrap();
    let id = created.calendar.id.clone();
    let fetched = client.get_calendar(id.as_str()).send().await.unwrap();
    assert_eq!(fetched.calendar.name, "First name");
    let listed = client.get_calendars("loc_crud").send().await.unwrap();
    let listed = json_of(&*listed);
    assert_eq!(listed["calendars"].as_array().unwrap().len(), 1);
    assert_eq!(listed["calendars"][0]["id"], id.as_str());
    let elsewhere = client.get_calendars("loc_other").send().await.unwrap();
    assert_eq!(json_of(&*elsewhere)["calendars"], json!([]), "scoped");

    let change: types::CalendarUpdateDto = body_of(json!({"name": "Second name"}));
    let updated = client
        .update_calendar(id.as_str(), change)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.calendar.name, "Second name");
    let fetched = client.get_calendar(id.as_str()).send().await.unwrap();
    assert_eq!(fetched.calendar.name, "Second name");
    assert_eq!(sandbox.calendars().len(), 1);

    client.delete_calendar(id.as_str()).send().await.unwrap();
    let gone = client.get_calendar(id.as_str()).send().await.unwrap_err();
    assert_eq!(status_of(&gone), Some(404), "{gone}");
    let again = client
        .delete_calendar(id.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&again), Some(404));
    assert!(sandbox.calendars().is_empty());
}

#[tokio::test]
async fn a_group_is_created_listed_updated_and_deleted() {
    let (sandbox, client) = started().await;
    let body: types::GroupCreateDto = body_of(json!({
        "locationId": "loc_groups", "name": "Sales", "description": "The sales team",
        "slug": "sales"
    }));
    let created = json_of(&*client.create_calendar_group(body).send().await.unwrap());
    let id = created["group"]["id"].as_str().unwrap().to_string();
    assert_eq!(created["group"]["name"], "Sales");
    let listed = client.get_groups("loc_groups").send().await.unwrap();
    let listed = json_of(&*listed);
    assert_eq!(listed["groups"].as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed["groups"][0]["id"], id.as_str());

    let change: types::GroupUpdateDto = body_of(json!({
        "name": "Sales EU", "description": "The sales team", "slug": "sales-eu"
    }));
    client.edit_group(id.as_str(), change).send().await.unwrap();
    let listed = client.get_groups("loc_groups").send().await.unwrap();
    assert_eq!(json_of(&*listed)["groups"][0]["name"], "Sales EU");
    assert_eq!(
        sandbox.resources("/calendars/groups")[0]["slug"],
        "sales-eu"
    );

    client.delete_group(id.as_str()).send().await.unwrap();
    let change: types::GroupUpdateDto = body_of(json!({
        "name": "Too late", "description": "d", "slug": "late"
    }));
    let gone = client
        .edit_group(id.as_str(), change)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&gone), Some(404), "{gone}");
    let listed = client.get_groups("loc_groups").send().await.unwrap();
    assert_eq!(json_of(&*listed)["groups"], json!([]));
}

/// A notification body as the sandbox's own example makes it.
fn notifications() -> Vec<types::CreateCalendarNotificationDto> {
    let example = highlevel_calendars::sandbox::example_request("create-event-notification");
    body_of(example.unwrap().body.unwrap())
}

#[tokio::test]
async fn notifications_live_under_their_calendar_and_go_with_it() {
    let (sandbox, client) = started().await;
    let calendar = client
        .create_calendar(calendar::event("loc_n", "With notifications"))
        .send()
        .await
        .unwrap();
    let calendar = calendar.calendar.id.clone();
    let created = client
        .create_event_notification(calendar.as_str(), notifications())
        .send()
        .await
        .unwrap();
    let created = json_of(&*created);
    let first = created[0]["_id"].as_str().unwrap().to_string();
    let found = client
        .find_event_notification(calendar.as_str(), first.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(&*found)["_id"], first.as_str());

    // Deleted, it is gone (Schemathesis's ST301 found it still there before).
    client
        .delete_event_notification(calendar.as_str(), first.as_str())
        .send()
        .await
        .unwrap();
    let gone = client
        .find_event_notification(calendar.as_str(), first.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&gone), Some(404), "{gone}");

    let created = client
        .create_event_notification(calendar.as_str(), notifications())
        .send()
        .await
        .unwrap();
    let second = json_of(&*created)[0]["_id"].as_str().unwrap().to_string();
    let listed = client
        .get_event_notification(calendar.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(&*listed)[0]["_id"], second.as_str());
    let kept = sandbox.resources("/calendars/{calendarId}/notifications");
    assert_eq!(kept.len(), 1);

    client
        .delete_calendar(calendar.as_str())
        .send()
        .await
        .unwrap();
    let orphan = client
        .find_event_notification(calendar.as_str(), second.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&orphan), Some(404), "{orphan}");
    let list = client
        .get_event_notification(calendar.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&list), Some(404), "{list}");
    let under_nothing = client
        .create_event_notification(calendar.as_str(), notifications())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&under_nothing), Some(404));
    assert!(
        sandbox
            .resources("/calendars/{calendarId}/notifications")
            .is_empty()
    );
}

#[tokio::test]
async fn operations_whose_paths_are_no_collection_are_named() {
    let (sandbox, _client) = started().await;
    let stateless = sandbox.api().example_driven_operations();
    assert_eq!(
        stateless,
        highlevel_calendars::sandbox::example_driven_operations()
    );
    assert!(stateless.contains(&"get-slots"), "{stateless:?}");
    assert!(!stateless.contains(&"find-event-notification"));
}

#[tokio::test]
async fn the_sandbox_serves_the_document_it_enforces() {
    highlevel_calendars::install_tls_provider();
    let (sandbox, _client) = started().await;
    // No token: API testers read it before they have one.
    let served: serde_json::Value = reqwest::get(format!("{}/openapi.json", sandbox.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let create = &served["components"]["schemas"]["CalendarCreateDTO"];
    assert_eq!(
        create["properties"]["name"]["minLength"], 1,
        "refused blank"
    );
    let find = &served["paths"]["/calendars/{calendarId}/notifications/{notificationId}"]["get"];
    assert!(find["responses"]["404"].is_object(), "{find}");
    let rules = served["x-highlevel-enforced-rules"].as_array().unwrap();
    assert!(
        rules.iter().any(|r| r["rule"] == "team_members_required"),
        "{rules:?}"
    );
    assert!(
        !rules.iter().any(|r| r["rule"] == "not_negative"),
        "an evident rule is not checked by default"
    );
    let stateless = served["x-highlevel-example-driven"].as_array().unwrap();
    assert!(stateless.contains(&json!("get-slots")));
}

#[tokio::test]
async fn past_the_cap_a_create_is_refused_until_something_is_deleted() {
    let sandbox = Sandbox::builder().max_resources(1).start().await.unwrap();
    let client = sandbox.client_builder().build().unwrap();
    let first = client
        .create_calendar(calendar::event("loc_cap", "Only one"))
        .send()
        .await
        .unwrap();
    let full = client
        .create_calendar(calendar::event("loc_cap", "One too many"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&full), Some(507), "{full}");
    assert_eq!(sandbox.calendars().len(), 1);
    client
        .delete_calendar(first.calendar.id.as_str())
        .send()
        .await
        .unwrap();
    client
        .create_calendar(calendar::event("loc_cap", "Room again"))
        .send()
        .await
        .unwrap();
    assert_eq!(sandbox.calendars()[0]["name"], "Room again");
}
