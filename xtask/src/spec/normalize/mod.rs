//! Turns HighLevel's published document into the one `build.rs` feeds to progenitor.
//!
//! This file holds the one fixed order the steps run in ([`STEPS`]) and what they share; the
//! steps live in the modules below, grouped by the part of the document they change
//! (references, parameters, request bodies, answers, enums, how values are typed) or, in
//! `configured`, by what they carry out of `openapi/pipeline.toml`. Each step is a function
//! with its reason in its doc comment, tested beside it and in `xtask/tests/normalize_steps.rs`.
//!
//! Every change is a named step, applied in the order of [`STEPS`]. Why each step exists is
//! written in `openapi/overlay.toml`, the reviewed list of our divergences from upstream: a step
//! without an entry there does not run. Each step returns notes on what it changed, so a step
//! that changed nothing (upstream now does what the step did) can be reported as obsolete.
//! The upstream snapshot is never edited by hand: what we need different lives here.

mod configured;
mod enums;
mod parameters;
mod references;
mod request_bodies;
mod responses;
mod schema_shapes;

pub use responses::{ERROR_MESSAGE_SCHEMA, ERROR_SCHEMA};

use crate::spec::config::Config;
use crate::spec::overlay::Overlay;
use serde_json::{Map, Value, json};

/// Reads documents that the root document references by a relative path.
pub trait Loader {
    /// Returns the parsed JSON document at `relative` (relative to the root document).
    fn load(&mut self, relative: &str) -> Result<Value, String>;
}

/// What a step needs besides the document.
pub struct Context<'a> {
    /// Pipeline configuration (`openapi/pipeline.toml`).
    pub config: &'a Config,
    /// Reader for external references.
    pub loader: &'a mut dyn Loader,
    /// The reviewed divergences (`openapi/overlay.toml`); only steps listed there run.
    pub overlay: &'a Overlay,
}

/// What a step changed: one short note per change. Empty when it changed nothing.
pub type Notes = Vec<String>;

/// Prefix of a note that a maintainer should read, which `spec normalize` prints in full: a
/// name the normalizer had to make up, an enum it had to leave a plain string.
pub const ATTENTION: &str = "attention: ";

/// One transformation of the document.
pub struct Step {
    /// Short name: the key of the step's entry in `openapi/overlay.toml`.
    pub name: &'static str,
    /// The transformation; returns notes on what it changed.
    pub apply: fn(&mut Value, &mut Context) -> Result<Notes, String>,
}

/// What one step did to one document.
#[derive(Debug, Clone)]
pub struct StepOutcome {
    /// The step's name.
    pub name: &'static str,
    /// Whether the document differs after the step (compared as a whole, so it is exact).
    pub changed: bool,
    /// The step's own notes on what it changed.
    pub notes: Notes,
}

/// A normalized document and what each step did to get there.
#[derive(Debug, Clone)]
pub struct Normalized {
    /// The document `build.rs` reads.
    pub doc: Value,
    /// One outcome per step, in the order of [`STEPS`].
    pub steps: Vec<StepOutcome>,
}

/// The steps, in the order they run.
pub const STEPS: &[Step] = &[
    Step {
        name: "keep_configured_operations",
        apply: configured::keep_configured_operations,
    },
    Step {
        name: "bundle_external_refs",
        apply: references::bundle_external_refs,
    },
    Step {
        name: "repair_parameters",
        apply: parameters::repair_parameters,
    },
    Step {
        name: "repair_enums",
        apply: enums::repair_enums,
    },
    Step {
        name: "formats_stay_strings",
        apply: schema_shapes::formats_stay_strings,
    },
    Step {
        name: "distinct_field_names",
        apply: schema_shapes::distinct_field_names,
    },
    Step {
        name: "raw_multipart_bodies",
        apply: request_bodies::raw_multipart_bodies,
    },
    Step {
        name: "one_request_media_type",
        apply: request_bodies::one_request_media_type,
    },
    Step {
        name: "declare_path_parameters",
        apply: parameters::declare_path_parameters,
    },
    Step {
        name: "declare_statuses",
        apply: configured::declare_statuses,
    },
    Step {
        name: "shared_error_schema",
        apply: responses::shared_error_schema,
    },
    Step {
        name: "declare_created_status",
        apply: responses::declare_created_status,
    },
    Step {
        name: "undescribed_answers_are_json",
        apply: responses::undescribed_answers_are_json,
    },
    Step {
        name: "link_operations",
        apply: configured::link_operations,
    },
    Step {
        name: "version_header_to_extension",
        apply: parameters::version_header_to_extension,
    },
    Step {
        name: "prune_unreachable_components",
        apply: references::prune_unreachable_components,
    },
    Step {
        name: "string_examples_type_untyped_objects",
        apply: schema_shapes::string_examples_type_untyped_objects,
    },
    Step {
        name: "drop_defaults",
        apply: request_bodies::drop_defaults,
    },
    Step {
        name: "drop_read_only_request_properties",
        apply: request_bodies::drop_read_only_request_properties,
    },
    Step {
        name: "number_enums_to_rules",
        apply: enums::number_enums_to_rules,
    },
    Step {
        name: "name_inline_enums",
        apply: enums::name_inline_enums,
    },
    Step {
        name: "attach_rules",
        apply: configured::attach_rules,
    },
    Step {
        name: "nullable_optional_response_properties",
        apply: responses::nullable_optional_response_properties,
    },
];

/// Steps that carry out `pipeline.toml` rather than repair upstream. Finding nothing to do
/// (the configuration keeps every operation upstream has) does not make them obsolete: an
/// operation upstream adds later must still be left out until it is configured. Where
/// upstream comes to document what a configured entry adds, the step says so in a note.
pub const CONFIGURATION_STEPS: &[&str] = &[
    "keep_configured_operations",
    "declare_statuses",
    "link_operations",
    "attach_rules",
];

/// Steps that repair what other HighLevel documents get wrong. The pipeline
/// serves every document, so one finding nothing to do in one of them is not obsolete.
pub const OTHER_DOCUMENT_STEPS: &[&str] = &[
    "repair_parameters",
    "repair_enums",
    "formats_stay_strings",
    "distinct_field_names",
    "raw_multipart_bodies",
    "one_request_media_type",
    "undescribed_answers_are_json",
];

/// Runs every step on `doc`, returning the normalized document and what each step did.
///
/// Refuses to run when a step has no entry in the overlay: every divergence from upstream must
/// be reviewed and explained there.
pub fn normalize(mut doc: Value, ctx: &mut Context) -> Result<Normalized, String> {
    check_openapi_version(&doc)?;
    let unlisted: Vec<&str> = STEPS
        .iter()
        .map(|s| s.name)
        .filter(|name| ctx.overlay.entry(name).is_none())
        .collect();
    if !unlisted.is_empty() {
        return Err(format!(
            "normalizer step(s) without an entry in {}: {}; add each with its reason before it may run",
            crate::spec::overlay::OVERLAY_FILE,
            unlisted.join(", ")
        ));
    }
    let mut steps = Vec::with_capacity(STEPS.len());
    for step in STEPS {
        let before = doc.clone();
        let notes = (step.apply)(&mut doc, ctx).map_err(|e| format!("step {}: {e}", step.name))?;
        steps.push(StepOutcome {
            name: step.name,
            changed: doc != before,
            notes,
        });
    }
    Ok(Normalized { doc, steps })
}

/// Refuses documents progenitor cannot read (it supports OpenAPI 3.0.x only).
pub fn check_openapi_version(doc: &Value) -> Result<(), String> {
    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => Ok(()),
        Some(v) => Err(format!(
            "the document is OpenAPI {v}; the pipeline supports 3.0.x only"
        )),
        None => {
            Err("the document has no `openapi` version field: is it an OpenAPI document?".into())
        }
    }
}

/// `calendarType` -> `CalendarType`, `slot_duration-unit` -> `SlotDurationUnit`: anything but a
/// letter or a digit separates words, so schema and property names make identifiers.
pub(super) fn pascal_case(name: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in name.chars() {
        if !c.is_alphanumeric() {
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

/// The operationId of an operation, for notes (`?` when it has none).
pub(crate) fn operation_id(op: &Value) -> String {
    op.get("operationId")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_string()
}

pub(super) fn components_schemas(doc: &mut Value) -> &mut Map<String, Value> {
    let components = doc
        .as_object_mut()
        .expect("an OpenAPI document is an object")
        .entry("components")
        .or_insert_with(|| json!({}));
    if !components.is_object() {
        *components = json!({});
    }
    let schemas = components
        .as_object_mut()
        .expect("just made an object")
        .entry("schemas")
        .or_insert_with(|| json!({}));
    if !schemas.is_object() {
        *schemas = json!({});
    }
    schemas.as_object_mut().expect("just made an object")
}

/// Serializes a document the way it is checked in: keys sorted, two-space indent, final newline.
pub fn to_pretty(doc: &Value) -> String {
    let mut text = serde_json::to_string_pretty(doc).expect("a JSON value always serializes");
    text.push('\n');
    text
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::{Context, Notes};
    use crate::spec::config::Config;
    use crate::spec::overlay::Overlay;
    use serde_json::Value;

    struct NoFiles;

    impl crate::spec::normalize::Loader for NoFiles {
        fn load(&mut self, relative: &str) -> Result<Value, String> {
            Err(format!("no file {relative}"))
        }
    }

    /// Runs one step on `doc`, as the normalizer would, with a configuration that matters to
    /// none of these steps.
    pub(crate) fn run(
        step: fn(&mut Value, &mut Context) -> Result<Notes, String>,
        doc: &mut Value,
    ) -> Result<Notes, String> {
        let config = Config::parse(
            "upstream = \"u\"\noutput = \"o\"\noperations = [\"x\"]",
            "t",
        )
        .expect("a valid configuration");
        let overlay = Overlay::default();
        let mut loader = NoFiles;
        let mut ctx = Context {
            config: &config,
            loader: &mut loader,
            overlay: &overlay,
        };
        step(doc, &mut ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_case_joins_words() {
        assert_eq!(pascal_case("calendarType"), "CalendarType");
        assert_eq!(pascal_case("slot_duration-unit"), "SlotDurationUnit");
        assert_eq!(pascal_case("Calendar.DTO v2"), "CalendarDTOV2");
    }
}
