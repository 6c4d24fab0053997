//! The normalizer's steps, each on a small document of its own in `tests/fixtures/normalize/`:
//! what the step changes, the notes it leaves, and that build.rs generates code from the
//! result (which normalizing again leaves as it is).

mod common;

use common::{fixture, real_workspace};
use serde_json::{Value, json};
use xtask::spec::config::Config;
use xtask::spec::normalize::{self, ATTENTION, Context, Loader, Normalized};
use xtask::spec::snapshot;

/// The fixtures refer to no other file.
struct NoExternalFiles;

impl Loader for NoExternalFiles {
    fn load(&mut self, relative: &str) -> Result<Value, String> {
        Err(format!("the fixture refers to {relative}"))
    }
}

fn config(operations: &[&str], enum_names: &[(&str, &str)]) -> Config {
    Config {
        upstream: "upstream/fixture.json".into(),
        output: "fixture.json".into(),
        operations: operations.iter().map(|id| id.to_string()).collect(),
        enum_names: enum_names
            .iter()
            .map(|(key, name)| (key.to_string(), name.to_string()))
            .collect(),
        rules: Default::default(),
        statuses: Default::default(),
        links: Default::default(),
    }
}

fn read(name: &str) -> Value {
    let path = fixture(&format!("normalize/{name}.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn normalize_with(doc: Value, config: &Config) -> Result<Normalized, String> {
    let overlay = real_workspace().overlay().unwrap();
    let mut loader = NoExternalFiles;
    let mut ctx = Context {
        config,
        loader: &mut loader,
        overlay: &overlay,
    };
    normalize::normalize(doc, &mut ctx)
}

/// Normalizes a fixture; returns the result and the code build.rs generates from it.
fn normalized(name: &str, config: &Config) -> (Normalized, String) {
    let out = normalize_with(read(name), config).unwrap();
    let code = snapshot::generate(&normalize::to_pretty(&out.doc))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let again = normalize_with(out.doc.clone(), config).unwrap();
    assert_eq!(again.doc, out.doc, "{name}: normalizing again changed it");
    (out, code)
}

fn notes<'a>(out: &'a Normalized, step: &str) -> &'a [String] {
    &out.steps.iter().find(|s| s.name == step).unwrap().notes
}

fn attention<'a>(out: &'a Normalized, step: &str) -> Vec<&'a str> {
    notes(out, step)
        .iter()
        .filter(|n| n.starts_with(ATTENTION))
        .map(String::as_str)
        .collect()
}

fn parameter_names(op: &Value) -> Vec<&str> {
    op["parameters"]
        .as_array()
        .map(|params| params.iter().filter_map(|p| p["name"].as_str()).collect())
        .unwrap_or_default()
}

#[test]
fn undeclared_path_variables_become_required_string_parameters() {
    let (out, code) = normalized(
        "path-parameters",
        &config(&["get-note", "delete-note", "update-note"], &[]),
    );
    let things = &out.doc["paths"]["/things/{thingId}/notes/{noteId}"];
    // `thingId` comes from the path item; `noteId` was missing.
    assert_eq!(
        things["delete"]["parameters"],
        json!([{"name": "noteId", "in": "path", "required": true, "schema": {"type": "string"}}])
    );
    assert_eq!(parameter_names(&things["get"]), ["noteId"]);
    let update = &out.doc["paths"]["/notes/{noteId}/{version}"]["put"];
    assert_eq!(parameter_names(update), ["limit", "noteId", "version"]);
    assert_eq!(
        notes(&out, "declare_path_parameters"),
        [
            "update-note: declared the path parameter `noteId` of /notes/{noteId}/{version}",
            "update-note: declared the path parameter `version` of /notes/{noteId}/{version}",
            "delete-note: declared the path parameter `noteId` of /things/{thingId}/notes/{noteId}",
        ]
    );
    assert!(code.contains("pub fn delete_note("), "no delete_note");
    assert!(code.contains("pub fn update_note("), "no update_note");
}

#[test]
fn every_error_status_shares_one_body() {
    let (out, code) = normalized("error-statuses", &config(&["updateSchedule"], &[]));
    let responses = &out.doc["paths"]["/schedules/{id}"]["put"]["responses"];
    let shared =
        json!({"application/json": {"schema": {"$ref": "#/components/schemas/ApiErrorBody"}}});
    for status in ["400", "404", "422", "429", "500"] {
        assert_eq!(responses[status]["content"], shared, "{status}");
    }
    // Upstream's descriptions stay; only the bodies change.
    assert_eq!(responses["404"]["description"], "Schedule not found");
    assert_eq!(
        responses["422"]["description"],
        "Validation errors in schedule rules"
    );
    let schemas = out.doc["components"]["schemas"].as_object().unwrap();
    for replaced in ["BadRequest", "Unprocessable", "ServerError"] {
        assert!(!schemas.contains_key(replaced), "{replaced} is left");
    }
    let notes = notes(&out, "shared_error_schema");
    for note in [
        "updateSchedule: declared 429",
        "updateSchedule: 404 body is `ApiErrorBody`",
        "updateSchedule: 422 body is `ApiErrorBody`",
        "updateSchedule: 500 body is `ApiErrorBody`",
    ] {
        assert!(notes.iter().any(|n| n == note), "no `{note}` in {notes:?}");
    }
    assert!(
        code.contains("pub fn update_schedule("),
        "no update_schedule"
    );
}

/// pipeline.toml's `[statuses]` and `[[links]]`, read from TOML as a user writes them.
fn with_statuses_and_links(mut config: Config, toml_text: &str) -> Config {
    let extra = Config::parse(
        &format!("upstream = \"u.json\"\noutput = \"o.json\"\noperations = [\"x\"]\n{toml_text}"),
        "test",
    )
    .unwrap();
    config.statuses = extra.statuses;
    config.links = extra.links;
    config
}

#[test]
fn configured_statuses_and_links_are_added_and_what_upstream_has_is_left_alone() {
    let config = with_statuses_and_links(
        config(
            &["create-thing", "create-or-replace-thing", "CreateGroup"],
            &[],
        ),
        r#"
[statuses.create-thing]
"409" = "Conflict: the slug is taken"
[statuses.CreateGroup]
"201" = "Created again"
[statuses.validate-thing-slug]
"404" = "not kept"

[[links]]
name = "ReplaceThing"
from = "create-thing"
status = "201"
to = "create-or-replace-thing"
parameters = { id = "$response.body#/id" }

[[links]]
name = "ValidateSlug"
from = "create-thing"
status = "201"
to = "validate-thing-slug"
parameters = {}
"#,
    );
    let (out, _) = normalized("created-status", &config);
    let created = &out.doc["paths"]["/things"]["post"]["responses"];
    assert_eq!(
        created["409"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ApiErrorBody",
        "a declared error status gets the shared error body"
    );
    assert_eq!(created["409"]["description"], "Conflict: the slug is taken");
    assert_eq!(
        created["201"]["links"],
        json!({"ReplaceThing": {
            "operationId": "create-or-replace-thing",
            "parameters": {"id": "$response.body#/id"}
        }})
    );
    // Upstream's own 201 keeps its description.
    assert_eq!(
        out.doc["paths"]["/groups"]["post"]["responses"]["201"]["description"],
        "Created"
    );
    assert_eq!(
        notes(&out, "declare_statuses"),
        [
            "attention: CreateGroup documents 201 upstream now; its [statuses] entry can go",
            "create-thing: declared 409",
            "[statuses] names validate-thing-slug, which is not kept; nothing declared",
        ]
    );
    assert_eq!(
        notes(&out, "link_operations"),
        [
            "create-thing: linked to create-or-replace-thing",
            "link ValidateSlug (create-thing to validate-thing-slug) left out: both operations must be kept",
        ]
    );
}

#[test]
fn only_post_operations_named_create_get_a_201() {
    let operations = [
        "create-thing",
        "createThings",
        "validate-thing-slug",
        "create-or-replace-thing",
        "CreateGroup",
    ];
    let (out, _) = normalized("created-status", &config(&operations, &[]));
    let successes = |path: &str, method: &str| -> Vec<String> {
        out.doc["paths"][path][method]["responses"]
            .as_object()
            .unwrap()
            .keys()
            .filter(|status| status.starts_with('2'))
            .cloned()
            .collect()
    };
    assert_eq!(successes("/things", "post"), ["200", "201"]);
    assert_eq!(successes("/things/bulk", "post"), ["200", "201"]);
    // Not a create operation, not a POST, or 201 documented already.
    assert_eq!(successes("/things/validate-slug", "post"), ["200"]);
    assert_eq!(successes("/things/{id}", "put"), ["200"]);
    assert_eq!(successes("/groups", "post"), ["201"]);
    assert_eq!(
        out.doc["paths"]["/things"]["post"]["responses"]["201"]["content"],
        out.doc["paths"]["/things"]["post"]["responses"]["200"]["content"]
    );
    assert_eq!(
        notes(&out, "declare_created_status"),
        [
            "create-thing: declared 201 like 200",
            "createThings: declared 201 like 200"
        ]
    );
}

#[test]
fn each_operation_records_its_version_and_mixed_versions_are_no_error() {
    let all = ["list-things", "get-thing", "list-others"];
    let (out, code) = normalized("version-headers", &config(&all, &[]));
    let paths = &out.doc["paths"];
    assert_eq!(paths["/things"]["get"]["x-highlevel-version"], "2021-04-15");
    // Declared by the path item.
    assert_eq!(
        paths["/things/{id}"]["get"]["x-highlevel-version"],
        "2021-04-15"
    );
    // Read from the default.
    assert_eq!(paths["/others"]["get"]["x-highlevel-version"], "2021-07-28");
    assert_eq!(parameter_names(&paths["/things"]["get"]), ["limit"]);
    assert_eq!(parameter_names(&paths["/things/{id}"]["get"]), ["id"]);
    assert!(paths["/things/{id}"].get("parameters").is_none());
    assert!(paths["/others"]["get"].get("parameters").is_none());
    // No single version: info.version stays as upstream has it, and a note says why.
    assert_eq!(out.doc["info"]["version"], "1.0");
    // The generated metadata carries each operation's own value.
    // `Operation::new(id, method, path, version, scopes)`, one argument per line.
    for (path, version) in [("/others", "2021-07-28"), ("/things", "2021-04-15")] {
        let call = format!("\"{path}\",\n        \"{version}\",");
        assert!(code.contains(&call), "the generated code has {call:?}");
    }
    let notes = attention(&out, "version_header_to_extension");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("different Version headers (2021-04-15, 2021-07-28)"),
        "{}",
        notes[0]
    );

    // Operations that agree make their version info.version.
    let (out, code) = normalized(
        "version-headers",
        &config(&["list-things", "get-thing"], &[]),
    );
    assert_eq!(out.doc["info"]["version"], "2021-04-15");
    assert!(
        !code.contains("version: \"2021-07-28\""),
        "the generated code"
    );
    assert!(attention(&out, "version_header_to_extension").is_empty());
}

#[test]
fn a_version_header_without_a_value_to_send_is_an_error() {
    let mut doc = read("version-headers");
    doc["paths"]["/things"]["get"]["parameters"][0]["schema"] = json!({"type": "string"});
    let error = normalize_with(doc, &config(&["list-things"], &[])).unwrap_err();
    assert!(error.contains("list-things"), "{error}");
    assert!(error.contains("no single value"), "{error}");
}

const ENUM_OPERATIONS: [&str; 1] = ["create-order"];

/// The name of the enum component a property (or its items) refers to.
fn enum_name(doc: &Value, schema: &str, property: &str) -> String {
    let mut prop = &doc["components"]["schemas"][schema]["properties"][property];
    if prop["type"] == "array" {
        prop = &prop["items"];
    }
    let reference = prop["allOf"][0]["$ref"].as_str().unwrap_or_else(|| {
        panic!("{schema}.{property} is not a named enum: {prop}");
    });
    reference
        .strip_prefix("#/components/schemas/")
        .unwrap()
        .to_string()
}

#[test]
fn enums_whose_names_clash_are_named_after_schema_and_property() {
    let (out, code) = normalized(
        "enum-names",
        &config(&ENUM_OPERATIONS, &[("Shipment.mode", "Mode")]),
    );
    let doc = &out.doc;
    // No enum is configured for `Status`: each of the clash gets its own name, even the two
    // that agree.
    assert_eq!(enum_name(doc, "Order", "status"), "OrderStatus");
    assert_eq!(enum_name(doc, "OrderUpdate", "status"), "OrderUpdateStatus");
    assert_eq!(enum_name(doc, "Invoice", "status"), "InvoiceStatus");
    assert!(doc["components"]["schemas"].get("Status").is_none());
    // `Mode` is configured: it stays with the enums of the configured values.
    assert_eq!(enum_name(doc, "Shipment", "mode"), "Mode");
    assert_eq!(enum_name(doc, "Box", "mode"), "Mode");
    assert_eq!(enum_name(doc, "Parcel", "mode"), "ParcelMode");
    // Same values, no clash.
    assert_eq!(enum_name(doc, "Order", "kind"), "Kind");
    assert_eq!(enum_name(doc, "Item", "kind"), "Kind");
    assert_eq!(
        doc["components"]["schemas"]["InvoiceStatus"],
        json!({"type": "string", "enum": ["draft", "paid"]})
    );
    assert_eq!(
        doc["components"]["schemas"]["ParcelMode"]["enum"],
        json!(["air", "sea", "road"])
    );

    let attention = attention(&out, "name_inline_enums");
    let clash = |name: &str| {
        *attention
            .iter()
            .find(|n| n.contains(&format!("would be named `{name}`")))
            .unwrap_or_else(|| panic!("no note on `{name}`: {attention:?}"))
    };
    let status = clash("Status");
    assert!(
        status.contains(
            "Invoice.status -> `InvoiceStatus`, Order.status -> `OrderStatus`, OrderUpdate.status -> `OrderUpdateStatus`"
        ),
        "{status}"
    );
    assert!(status.contains("[enum_names]"), "{status}");
    let mode = clash("Mode");
    assert!(mode.contains("Parcel.mode -> `ParcelMode`"), "{mode}");
    assert!(
        mode.contains("(Box.mode, Shipment.mode keep `Mode`)"),
        "{mode}"
    );

    for name in [
        "OrderStatus",
        "OrderUpdateStatus",
        "InvoiceStatus",
        "Mode",
        "ParcelMode",
        "Kind",
    ] {
        assert!(
            code.contains(&format!("Values of `{name}`")),
            "no open enum {name}"
        );
    }
}

#[test]
fn configured_names_settle_a_clash() {
    let (out, _) = normalized(
        "enum-names",
        &config(
            &ENUM_OPERATIONS,
            &[
                ("Shipment.mode", "Mode"),
                ("Parcel.mode", "TransportMode"),
                ("Invoice.status", "InvoiceState"),
            ],
        ),
    );
    let doc = &out.doc;
    assert_eq!(enum_name(doc, "Invoice", "status"), "InvoiceState");
    assert_eq!(enum_name(doc, "Order", "status"), "Status");
    assert_eq!(enum_name(doc, "OrderUpdate", "status"), "Status");
    assert_eq!(enum_name(doc, "Parcel", "mode"), "TransportMode");
    assert_eq!(enum_name(doc, "Box", "mode"), "Mode");
    let attention = attention(&out, "name_inline_enums");
    assert!(
        attention.iter().all(|n| !n.contains("would be named")),
        "{attention:?}"
    );
}

#[test]
fn configured_names_that_contradict_each_other_are_an_error() {
    let error = normalize_with(
        read("enum-names"),
        &config(
            &ENUM_OPERATIONS,
            &[("Order.status", "State"), ("Invoice.status", "State")],
        ),
    )
    .unwrap_err();
    assert!(error.contains("`Invoice.status`"), "{error}");
    assert!(error.contains("`Order.status`"), "{error}");
    assert!(error.contains("[enum_names]"), "{error}");
}

#[test]
fn an_enum_whose_values_give_clashing_variants_stays_a_plain_string() {
    let (out, _) = normalized("enum-names", &config(&ENUM_OPERATIONS, &[]));
    let item = &out.doc["components"]["schemas"]["Item"]["properties"];
    for (property, values) in [("code", "`CT`, `ct`"), ("state", "`known`, `unknown`")] {
        let prop = &item[property];
        assert_eq!(prop["type"], "string", "{prop}");
        assert!(
            prop.get("enum").is_none() && prop.get("allOf").is_none(),
            "{prop}"
        );
        let description = prop["description"].as_str().unwrap();
        assert!(
            description.ends_with(&format!("Allowed values: {values}.")),
            "{description}"
        );
    }
    assert!(
        item["code"]["description"]
            .as_str()
            .unwrap()
            .starts_with("Country code.")
    );
    let attention = attention(&out, "name_inline_enums");
    for expected in [
        "Item.code: the values `CT` and `ct` both give the Rust variant `Ct`",
        "Item.state: the value `unknown` gives the Rust variant `Unknown`, which is reserved",
    ] {
        assert!(
            attention.iter().any(|n| n.contains(expected)),
            "no `{expected}` in {attention:?}"
        );
    }
}

#[test]
fn enum_names_do_not_depend_on_the_order_of_the_document() {
    // Today serde_json keeps object keys sorted, so this holds by construction; it would no
    // longer if its `preserve_order` feature were turned on.
    let doc = read("enum-names");
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let reversed: Vec<String> = schemas
        .iter()
        .rev()
        .map(|(name, schema)| format!("{}: {schema}", Value::String(name.clone())))
        .collect();
    let text = format!(
        r#"{{"openapi": "3.0.0", "info": {}, "paths": {}, "components": {{"schemas": {{{}}}}}}}"#,
        doc["info"],
        doc["paths"],
        reversed.join(", ")
    );
    let config = config(&ENUM_OPERATIONS, &[("Shipment.mode", "Mode")]);
    let forward = normalize_with(doc.clone(), &config).unwrap();
    let backward = normalize_with(serde_json::from_str(&text).unwrap(), &config).unwrap();
    assert_eq!(
        normalize::to_pretty(&forward.doc),
        normalize::to_pretty(&backward.doc)
    );
}

#[test]
fn an_untyped_object_with_a_text_example_is_a_string() {
    let doc = json!({
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/events": {"get": {
            "operationId": "get-events",
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}}}
        }}},
        "components": {"schemas": {"Event": {"type": "object", "properties": {
            "startTime": {"type": "object", "description": "Start Time", "example": "2023-09-25T16:00:00+05:30"},
            "meta": {"type": "object", "example": {"a": 1}},
            "extra": {"type": "object", "additionalProperties": true, "example": "x"}
        }}}}
    });
    let out = normalize_with(doc, &config(&["get-events"], &[])).unwrap();
    let properties = &out.doc["components"]["schemas"]["Event"]["properties"];
    assert_eq!(properties["startTime"]["type"], "string");
    assert_eq!(
        properties["meta"]["type"], "object",
        "an object example stays an object"
    );
    assert_eq!(
        properties["extra"]["type"], "object",
        "a declared map stays a map"
    );
    assert_eq!(notes(&out, "string_examples_type_untyped_objects").len(), 1);
}

#[test]
fn an_answer_the_document_does_not_describe_is_any_json_and_named() {
    let operations = ["search-things", "echo-thing", "list-things", "delete-thing"];
    let (out, code) = normalized("undescribed-answers", &config(&operations, &[]));
    let schema = |path: &str, method: &str, status: &str| {
        out.doc["paths"][path][method]["responses"][status]
            .pointer("/content/application~1json/schema")
            .cloned()
    };
    assert!(schema("/things/search", "post", "200").is_some());
    assert!(schema("/things/echo", "post", "200").is_some());
    // Described already, or nothing to answer (204).
    assert_eq!(
        schema("/things", "get", "200"),
        Some(json!({"$ref": "#/components/schemas/Thing"}))
    );
    assert!(out.doc["paths"]["/things/{id}"]["delete"]["responses"]["204"]["content"].is_null());
    let named = attention(&out, "undescribed_answers_are_json");
    assert_eq!(named.len(), 2, "{named:?}");
    assert!(named[0].contains("search-things") || named[1].contains("search-things"));
    // What the caller gets is the JSON, not `()`.
    let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    assert_eq!(
        compact
            .matches("::highlevel_runtime::Response<::serde_json::Value>")
            .count(),
        2,
        "search-things and echo-thing answer serde_json::Value"
    );
    // The build names them too.
    let lines = highlevel_codegen::attention_lines(&normalize::to_pretty(&out.doc));
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("search-things (POST /things/search)")),
        "{lines:?}"
    );
}
