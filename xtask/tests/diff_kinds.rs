//! `spec diff`: one pair of small documents per kind of change, each with its classification.
//!
//! The documents live in `tests/fixtures/diff/apps/`; each differs from `base.json` in one way
//! (`diff base.json <case>.json` shows it). They are raw upstream documents with an external
//! `$ref` into `../common/errors.json`, so every comparison also normalizes them in memory.

mod common;

use common::{TempDir, fixture, real_workspace};
use xtask::spec::diff::{Change, Kind, Severity, Side};
use xtask::spec::report::Report;
use xtask::spec::source::Source;
use xtask::spec::spec_diff::diff_with;

fn doc(name: &str) -> Source {
    Source::Path(fixture(&format!("diff/apps/{name}.json")))
}

fn report_for(old: Source, new: Source, operations: &[&str]) -> Report {
    let ws = real_workspace();
    let config = ws
        .config()
        .unwrap()
        .with_operations(operations.iter().map(|s| s.to_string()).collect());
    diff_with(&config, &ws.overlay().unwrap(), &old, &new).unwrap()
}

fn report(old: &str, new: &str) -> Report {
    report_for(doc(old), doc(new), &["create-calendar"])
}

/// Asserts that `base -> case` (or the given pair) makes exactly one change, and returns it.
fn single(report: &Report) -> &Change {
    assert_eq!(
        report.changes.len(),
        1,
        "expected one change:\n{}",
        report.to_text()
    );
    &report.changes[0]
}

fn assert_change(change: &Change, side: Side, kind: Kind, severity: Severity, location: &str) {
    assert_eq!(
        (
            change.side,
            change.kind,
            change.severity,
            change.location.as_str()
        ),
        (side, kind, severity, location),
        "{change:#?}"
    );
    assert!(!change.reason.is_empty());
}

fn one(old: &str, new: &str, side: Side, kind: Kind, severity: Severity, location: &str) -> Change {
    let report = report(old, new);
    let change = single(&report).clone();
    assert_change(&change, side, kind, severity, location);
    change
}

#[test]
fn identical_documents_report_nothing() {
    let report = report("base", "base");
    assert!(report.changes.is_empty(), "{}", report.to_text());
    assert!(!report.reaches(Severity::Compatible));
}

#[test]
fn a_raw_document_and_its_normalized_form_report_nothing() {
    let ws = real_workspace();
    let config = ws
        .config()
        .unwrap()
        .with_operations(vec!["create-calendar".into()]);
    let upstream =
        xtask::spec::document::read_upstream(&doc("base"), &config, &ws.overlay().unwrap())
            .unwrap();
    let dir = TempDir::new("normalized-fixture");
    let normalized = dir.0.join("base.normalized.json");
    std::fs::write(
        &normalized,
        xtask::spec::normalize::to_pretty(&upstream.normalized.doc),
    )
    .unwrap();
    for (old, new) in [
        (doc("base"), Source::Path(normalized.clone())),
        (Source::Path(normalized.clone()), doc("base")),
    ] {
        let report = report_for(old, new, &["create-calendar"]);
        assert!(report.changes.is_empty(), "{}", report.to_text());
    }
    // A normalized document has no overlay entry left to make obsolete.
    let report = report_for(doc("base"), Source::Path(normalized), &["create-calendar"]);
    assert!(report.obsolete_overlay_entries.is_empty());
}

#[test]
fn operation_added_is_compatible() {
    let report = report_for(
        doc("base"),
        doc("with-get-calendar"),
        &["create-calendar", "get-calendar"],
    );
    assert_change(
        single(&report),
        Side::Request,
        Kind::OperationAdded,
        Severity::Compatible,
        "get-calendar",
    );
}

#[test]
fn operation_removed_is_breaking() {
    let report = report_for(
        doc("with-get-calendar"),
        doc("base"),
        &["create-calendar", "get-calendar"],
    );
    assert_change(
        single(&report),
        Side::Request,
        Kind::OperationRemoved,
        Severity::Breaking,
        "get-calendar",
    );
}

#[test]
fn an_operation_outside_the_configuration_is_not_compared() {
    let report = report("base", "with-get-calendar");
    assert!(report.changes.is_empty(), "{}", report.to_text());
}

#[test]
fn path_changed_needs_attention() {
    let change = one(
        "base",
        "path-changed",
        Side::Request,
        Kind::PathChanged,
        Severity::Attention,
        "create-calendar",
    );
    assert_eq!(change.detail, "/calendars/ -> /calendars/create");
}

#[test]
fn path_with_a_new_parameter_is_breaking() {
    let report = report("base", "path-parameter-added");
    let kinds: Vec<(Kind, Severity)> = report
        .changes
        .iter()
        .map(|c| (c.kind, c.severity))
        .collect();
    assert_eq!(
        kinds,
        [
            (Kind::PathChanged, Severity::Breaking),
            (Kind::PropertyAdded, Severity::Breaking),
        ],
        "{}",
        report.to_text()
    );
    assert_eq!(
        report.changes[1].location,
        "create-calendar path parameter `locationId`"
    );
}

#[test]
fn method_changed_needs_attention() {
    // A PUT is not a create call, so the normalizer no longer adds 201 beside its 200.
    let report = report("base", "method-changed");
    assert_eq!(report.changes.len(), 2, "{}", report.to_text());
    assert_change(
        &report.changes[0],
        Side::Request,
        Kind::MethodChanged,
        Severity::Attention,
        "create-calendar",
    );
    assert_eq!(report.changes[0].detail, "POST -> PUT");
    assert_change(
        &report.changes[1],
        Side::Response,
        Kind::SuccessStatusChanged,
        Severity::Attention,
        "create-calendar",
    );
    assert_eq!(report.changes[1].detail, "200, 201 -> 200");
}

#[test]
fn success_status_replaced_needs_attention_and_makes_the_201_entry_obsolete() {
    let report = report("base", "success-status-201");
    let change = single(&report);
    assert_change(
        change,
        Side::Response,
        Kind::SuccessStatusChanged,
        Severity::Attention,
        "create-calendar",
    );
    assert_eq!(change.detail, "200, 201 -> 201");
    let obsolete: Vec<&str> = report
        .obsolete_overlay_entries
        .iter()
        .map(|e| e.step.as_str())
        .collect();
    assert!(obsolete.contains(&"declare_created_status"), "{obsolete:?}");
    assert!(report.to_text().contains(
        "obsolete overlay entry `declare_created_status`: upstream now documents 201 on every kept create operation"
    ));
}

#[test]
fn the_201_entry_is_needed_while_upstream_documents_200() {
    let report = report("base", "base");
    assert!(
        !report
            .obsolete_overlay_entries
            .iter()
            .any(|e| e.step == "declare_created_status")
    );
}

#[test]
fn success_status_added_is_compatible() {
    one(
        "base",
        "success-status-added",
        Side::Response,
        Kind::SuccessStatusChanged,
        Severity::Compatible,
        "create-calendar",
    );
}

#[test]
fn version_header_changed_is_breaking() {
    let change = one(
        "base",
        "version-changed",
        Side::Request,
        Kind::VersionChanged,
        Severity::Breaking,
        "create-calendar",
    );
    assert_eq!(change.detail, "2021-04-15 -> 2021-07-28");
}

#[test]
fn an_operation_of_the_old_document_is_compared_even_when_no_longer_configured() {
    // The configuration now names another operation; the old document's is still gone.
    let report = report_for(doc("base"), doc("operation-removed"), &["get-contact"]);
    let kinds: Vec<_> = report
        .changes
        .iter()
        .map(|c| (c.kind, c.severity, c.location.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                Kind::OperationRemoved,
                Severity::Breaking,
                "create-calendar"
            ),
            (Kind::OperationAdded, Severity::Compatible, "get-contact"),
        ],
        "{}",
        report.to_text()
    );
}

#[test]
fn a_changed_security_scheme_is_breaking_and_changed_scopes_need_attention() {
    one(
        "secured",
        "secured-other-scheme",
        Side::Request,
        Kind::SecurityChanged,
        Severity::Breaking,
        "create-calendar",
    );
    let change = one(
        "secured",
        "secured-more-scopes",
        Side::Request,
        Kind::ScopesChanged,
        Severity::Attention,
        "create-calendar",
    );
    assert_eq!(
        change.detail,
        "calendars.write -> calendars.readonly, calendars.write"
    );
}

#[test]
fn optional_request_property_added_is_compatible() {
    one(
        "base",
        "request-property-added",
        Side::Request,
        Kind::PropertyAdded,
        Severity::Compatible,
        "CreateCalendarDTO.color",
    );
}

#[test]
fn required_request_property_added_is_breaking() {
    one(
        "base",
        "request-required-property-added",
        Side::Request,
        Kind::PropertyAdded,
        Severity::Breaking,
        "CreateCalendarDTO.timezone",
    );
}

#[test]
fn response_property_added_is_compatible() {
    one(
        "base",
        "response-property-added",
        Side::Response,
        Kind::PropertyAdded,
        Severity::Compatible,
        "CalendarDTO.color",
    );
}

#[test]
fn request_property_removed_is_breaking() {
    one(
        "base",
        "request-property-removed",
        Side::Request,
        Kind::PropertyRemoved,
        Severity::Breaking,
        "CreateCalendarDTO.description",
    );
}

#[test]
fn response_property_removed_is_breaking() {
    let change = one(
        "base",
        "response-property-removed",
        Side::Response,
        Kind::PropertyRemoved,
        Severity::Breaking,
        "CalendarDTO.description",
    );
    assert!(change.reason.contains("reads it"), "{}", change.reason);
}

#[test]
fn request_required_added_is_breaking() {
    one(
        "base",
        "request-required-added",
        Side::Request,
        Kind::RequiredAdded,
        Severity::Breaking,
        "CreateCalendarDTO.description",
    );
}

#[test]
fn request_required_removed_is_compatible() {
    one(
        "base",
        "request-required-removed",
        Side::Request,
        Kind::RequiredRemoved,
        Severity::Compatible,
        "CreateCalendarDTO.name",
    );
}

#[test]
fn response_required_added_changes_the_option_and_is_breaking() {
    // Normalized, the optional field was nullable (Option<T>); required, it is a plain T. The
    // nullable change that comes with it is not reported twice.
    let change = one(
        "base",
        "response-required-added",
        Side::Response,
        Kind::RequiredAdded,
        Severity::Breaking,
        "CalendarDTO.description",
    );
    assert!(
        change.reason.contains("Option<T> to T"),
        "{}",
        change.reason
    );
}

#[test]
fn response_required_removed_is_breaking() {
    one(
        "base",
        "response-required-removed",
        Side::Response,
        Kind::RequiredRemoved,
        Severity::Breaking,
        "CalendarDTO.name",
    );
}

#[test]
fn request_type_changed_is_breaking() {
    let change = one(
        "base",
        "request-type-changed",
        Side::Request,
        Kind::TypeChanged,
        Severity::Breaking,
        "CreateCalendarDTO.startsAt",
    );
    assert_eq!(change.detail, "string -> integer");
}

#[test]
fn response_type_changed_is_breaking() {
    one(
        "base",
        "response-type-changed",
        Side::Response,
        Kind::TypeChanged,
        Severity::Breaking,
        "CalendarDTO.createdAt",
    );
}

#[test]
fn format_that_changes_the_rust_type_is_breaking() {
    for (case, side, location) in [
        (
            "request-format-changed",
            Side::Request,
            "CreateCalendarDTO.slotDuration",
        ),
        (
            "response-format-changed",
            Side::Response,
            "CalendarDTO.slotDuration",
        ),
    ] {
        let change = one(
            "base",
            case,
            side,
            Kind::FormatChanged,
            Severity::Breaking,
            location,
        );
        assert!(change.reason.contains("f32"), "{}", change.reason);
    }
}

/// The normalizer keeps dates and uuids strings (`formats_stay_strings`), so such a format
/// added upstream changes nothing a client sees.
#[test]
fn a_date_or_uuid_format_is_kept_as_a_string() {
    for case in ["date-format-added", "uuid-format-added"] {
        let report = report("base", case);
        assert!(report.changes.is_empty(), "{case}: {}", report.to_text());
    }
}

#[test]
fn format_that_keeps_the_rust_type_is_compatible() {
    one(
        "base",
        "response-format-documentation",
        Side::Response,
        Kind::FormatChanged,
        Severity::Compatible,
        "CalendarDTO.description",
    );
}

#[test]
fn request_enum_value_added_is_compatible() {
    let change = one(
        "base",
        "request-enum-value-added",
        Side::Request,
        Kind::EnumValueAdded,
        Severity::Compatible,
        "CalendarType",
    );
    assert_eq!(change.detail, "`round_robin`");
}

#[test]
fn request_enum_value_removed_is_breaking() {
    one(
        "base",
        "request-enum-value-removed",
        Side::Request,
        Kind::EnumValueRemoved,
        Severity::Breaking,
        "CalendarType",
    );
}

#[test]
fn response_enum_value_added_is_compatible_because_enums_are_open() {
    let change = one(
        "base",
        "response-enum-value-added",
        Side::Response,
        Kind::EnumValueAdded,
        Severity::Compatible,
        "Status",
    );
    assert!(change.reason.contains("open"), "{}", change.reason);
    assert!(change.reason.contains("Unknown"), "{}", change.reason);
}

#[test]
fn response_enum_value_removed_is_breaking() {
    one(
        "base",
        "response-enum-value-removed",
        Side::Response,
        Kind::EnumValueRemoved,
        Severity::Breaking,
        "Status",
    );
}

#[test]
fn number_enum_value_added_to_a_request_is_compatible() {
    let change = one(
        "base",
        "request-number-value-added",
        Side::Request,
        Kind::EnumValueAdded,
        Severity::Compatible,
        "CreateCalendarDTO.slotDuration",
    );
    assert_eq!(change.detail, "`60`");
}

#[test]
fn number_enum_value_removed_from_a_request_is_breaking() {
    one(
        "base",
        "request-number-value-removed",
        Side::Request,
        Kind::EnumValueRemoved,
        Severity::Breaking,
        "CreateCalendarDTO.slotDuration",
    );
}

#[test]
fn number_enum_value_added_to_a_response_is_compatible() {
    one(
        "base",
        "response-number-value-added",
        Side::Response,
        Kind::EnumValueAdded,
        Severity::Compatible,
        "CalendarDTO.slotDuration",
    );
}

#[test]
fn request_nullable_added_is_compatible() {
    one(
        "base",
        "request-nullable-added",
        Side::Request,
        Kind::NullableChanged,
        Severity::Compatible,
        "CreateCalendarDTO.name",
    );
}

#[test]
fn response_nullable_added_to_a_required_field_is_breaking() {
    one(
        "base",
        "response-nullable-added",
        Side::Response,
        Kind::NullableChanged,
        Severity::Breaking,
        "CalendarDTO.id",
    );
}

#[test]
fn upstream_marking_an_optional_response_field_nullable_changes_nothing() {
    // The normalizer already makes it nullable.
    let report = report("base", "response-optional-nullable");
    assert!(report.changes.is_empty(), "{}", report.to_text());
}

#[test]
fn deprecated_added_needs_attention() {
    one(
        "base",
        "request-deprecated",
        Side::Request,
        Kind::DeprecatedAdded,
        Severity::Attention,
        "CreateCalendarDTO.description",
    );
    one(
        "base",
        "response-deprecated",
        Side::Response,
        Kind::DeprecatedAdded,
        Severity::Attention,
        "CalendarDTO.description",
    );
    one(
        "base",
        "operation-deprecated",
        Side::Request,
        Kind::DeprecatedAdded,
        Severity::Attention,
        "create-calendar",
    );
}

#[test]
fn fail_on_thresholds_follow_severity() {
    let attention = report("base", "method-changed");
    assert!(attention.reaches(Severity::Attention));
    assert!(!attention.reaches(Severity::Breaking));
    let breaking = report("base", "request-property-removed");
    assert!(breaking.reaches(Severity::Attention));
    assert!(breaking.reaches(Severity::Breaking));
    let compatible = report("base", "request-property-added");
    assert!(!compatible.reaches(Severity::Attention));
}

#[test]
fn json_output_names_kind_side_and_severity() {
    let report = report("base", "request-required-added");
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["summary"]["breaking"], 1);
    let change = &json["changes"][0];
    assert_eq!(change["kind"], "required_added");
    assert_eq!(change["side"], "request");
    assert_eq!(change["severity"], "breaking");
    assert_eq!(change["location"], "CreateCalendarDTO.description");
}

#[test]
fn the_snapshot_against_itself_is_empty() {
    let ws = real_workspace();
    let config = ws.config().unwrap();
    let upstream = Source::Path(ws.upstream_path(&config));
    let normalized = Source::Path(ws.output_path(&config));
    for (old, new) in [
        (upstream.clone(), upstream.clone()),
        (normalized.clone(), normalized.clone()),
        (upstream.clone(), normalized.clone()),
        (normalized, upstream),
    ] {
        let report = xtask::spec::spec_diff::diff(&ws, &old, &new).unwrap();
        assert!(report.changes.is_empty(), "{}", report.to_text());
    }
}
