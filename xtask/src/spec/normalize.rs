//! Turns HighLevel's published document into the one `build.rs` feeds to progenitor.
//!
//! Why one file of about 1,300 lines: the steps run in one fixed order over one document and
//! share its walkers; splitting them across files would hide that order. Each step is a
//! function with its reason in its doc comment (tests: the end of this file and
//! `xtask/tests/normalize_steps.rs`).
//!
//! Every change is a named step, applied in the order of [`STEPS`]. Why each step exists is
//! written in `openapi/overlay.toml`, the reviewed list of our divergences from upstream: a step
//! without an entry there does not run. Each step returns notes on what it changed, so a step
//! that changed nothing (upstream now does what the step did) can be reported as obsolete.
//! The upstream snapshot is never edited by hand: what we need different lives here.

use crate::spec::config::Config;
use crate::spec::overlay::Overlay;
use crate::spec::schema_walk::{
    METHODS, SCHEMA_REF_PREFIX, append_description, operations, operations_mut,
    request_and_response_schemas, required_names, visit_all_schemas_mut,
};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

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
        apply: keep_configured_operations,
    },
    Step {
        name: "bundle_external_refs",
        apply: bundle_external_refs,
    },
    Step {
        name: "repair_parameters",
        apply: crate::spec::repairs::repair_parameters,
    },
    Step {
        name: "repair_enums",
        apply: crate::spec::repairs::repair_enums,
    },
    Step {
        name: "formats_stay_strings",
        apply: crate::spec::repairs::formats_stay_strings,
    },
    Step {
        name: "distinct_field_names",
        apply: crate::spec::repairs::distinct_field_names,
    },
    Step {
        name: "raw_multipart_bodies",
        apply: crate::spec::repairs::raw_multipart_bodies,
    },
    Step {
        name: "one_request_media_type",
        apply: crate::spec::repairs::one_request_media_type,
    },
    Step {
        name: "declare_path_parameters",
        apply: declare_path_parameters,
    },
    Step {
        name: "declare_statuses",
        apply: declare_statuses,
    },
    Step {
        name: "shared_error_schema",
        apply: shared_error_schema,
    },
    Step {
        name: "declare_created_status",
        apply: declare_created_status,
    },
    Step {
        name: "undescribed_answers_are_json",
        apply: crate::spec::repairs::undescribed_answers_are_json,
    },
    Step {
        name: "link_operations",
        apply: link_operations,
    },
    Step {
        name: "version_header_to_extension",
        apply: version_header_to_extension,
    },
    Step {
        name: "prune_unreachable_components",
        apply: prune_unreachable_components,
    },
    Step {
        name: "string_examples_type_untyped_objects",
        apply: string_examples_type_untyped_objects,
    },
    Step {
        name: "drop_defaults",
        apply: drop_defaults,
    },
    Step {
        name: "drop_read_only_request_properties",
        apply: drop_read_only_request_properties,
    },
    Step {
        name: "number_enums_to_rules",
        apply: number_enums_to_rules,
    },
    Step {
        name: "name_inline_enums",
        apply: name_inline_enums,
    },
    Step {
        name: "attach_rules",
        apply: attach_rules,
    },
    Step {
        name: "nullable_optional_response_properties",
        apply: nullable_optional_response_properties,
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

/// Steps that repair what other HighLevel documents get wrong (`repairs.rs`). The pipeline
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

/// Names, on each schema listed in pipeline.toml's `[rules]`, the hand-written function that
/// checks what HighLevel states only in words (`x-highlevel-rules`); the generated `Validate`
/// of the schema's type calls it after the checks the document states.
fn attach_rules(doc: &mut Value, ctx: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    let schemas = components_schemas(doc);
    for (schema, path) in &ctx.config.rules {
        let Some(target) = schemas.get_mut(schema).and_then(Value::as_object_mut) else {
            notes.push(format!(
                "attention: [rules] names the schema `{schema}`, which the kept operations do not use; {path} is not attached"
            ));
            continue;
        };
        target.insert(
            highlevel_codegen::RULES_EXTENSION.into(),
            Value::String(path.clone()),
        );
        notes.push(format!("{schema}: checked by {path}"));
    }
    Ok(notes)
}

fn keep_configured_operations(doc: &mut Value, ctx: &mut Context) -> Result<Notes, String> {
    let wanted: BTreeSet<&str> = ctx.config.operations.iter().map(String::as_str).collect();
    let found: BTreeSet<String> = operations(doc)
        .iter()
        .filter_map(|(_, _, op)| op.get("operationId")?.as_str().map(str::to_string))
        .filter(|id| wanted.contains(id.as_str()))
        .collect();
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|id| !found.contains(**id))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "configured operation(s) not in the document: {}",
            missing.join(", ")
        ));
    }
    let notes: Notes = operations(doc)
        .iter()
        .filter(|(_, _, op)| {
            !op.get("operationId")
                .and_then(Value::as_str)
                .is_some_and(|id| wanted.contains(id))
        })
        .map(|(path, method, _)| format!("dropped {} {path}", method.to_uppercase()))
        .collect();
    let paths = doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .ok_or("the document has no paths")?;
    for item in paths.values_mut() {
        if let Value::Object(item) = item {
            item.retain(|key, op| {
                !METHODS.contains(&key.as_str())
                    || op
                        .get("operationId")
                        .and_then(Value::as_str)
                        .is_some_and(|id| wanted.contains(id))
            });
        }
    }
    paths.retain(|_, item| {
        item.as_object()
            .is_some_and(|item| item.keys().any(|k| METHODS.contains(&k.as_str())))
    });
    Ok(notes)
}

fn bundle_external_refs(doc: &mut Value, ctx: &mut Context) -> Result<Notes, String> {
    let local = components_schemas(doc).clone();
    let mut bundle = Bundle {
        loader: ctx.loader,
        local: &local,
        names: BTreeMap::new(),
        imported: BTreeMap::new(),
        notes: Notes::new(),
    };
    bundle.rewrite_refs(doc, None)?;
    let Bundle {
        imported, notes, ..
    } = bundle;
    let schemas = components_schemas(doc);
    for (name, schema) in imported {
        schemas.insert(name, schema);
    }
    Ok(notes)
}

/// The schemas `bundle_external_refs` imports, and under which local names.
struct Bundle<'a> {
    loader: &'a mut dyn Loader,
    /// The document's own schemas, as they were before the step.
    local: &'a Map<String, Value>,
    /// The local name given to each external (file, pointer).
    names: BTreeMap<(String, String), String>,
    /// What was imported, by local name (`Null` while its own references are rewritten).
    imported: BTreeMap<String, Value>,
    notes: Notes,
}

impl Bundle<'_> {
    /// Rewrites every `$ref` below `value` to a local one, importing what it points to.
    /// `file` is the external file `value` came from (`None` for the root document).
    fn rewrite_refs(&mut self, value: &mut Value, file: Option<&str>) -> Result<(), String> {
        match value {
            Value::Object(obj) => {
                if let Some(Value::String(reference)) = obj.get("$ref").cloned().as_ref() {
                    let (target_file, pointer) = match reference.split_once('#') {
                        Some(("", pointer)) => (file.map(str::to_string), pointer.to_string()),
                        Some((path, pointer)) => {
                            (Some(join_relative(file, path)), pointer.to_string())
                        }
                        None => (Some(join_relative(file, reference)), String::new()),
                    };
                    if let Some(target_file) = target_file {
                        let name = self.import(reference, target_file, pointer)?;
                        obj.insert(
                            "$ref".into(),
                            Value::String(format!("{SCHEMA_REF_PREFIX}{name}")),
                        );
                    }
                }
                for (key, child) in obj.iter_mut() {
                    if key != "$ref" {
                        self.rewrite_refs(child, file)?;
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.rewrite_refs(item, file)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The local name of the schema at `pointer` in `file`, importing it the first time.
    ///
    /// It keeps its own name unless the document has a different schema of that name (v3's
    /// SaaS document has its own `BadRequestDTO` beside the shared one); then it is named
    /// after its file too, and a note says so.
    fn import(&mut self, reference: &str, file: String, pointer: String) -> Result<String, String> {
        let key = (file, pointer);
        if let Some(name) = self.names.get(&key) {
            return Ok(name.clone());
        }
        let (file, pointer) = &key;
        let own = pointer
            .strip_prefix("/components/schemas/")
            .filter(|n| !n.contains('/'))
            .ok_or_else(|| {
                format!("`{reference}`: only references to components/schemas can be bundled")
            })?
            .to_string();
        let external = self.loader.load(file)?;
        let mut schema = external
            .pointer(pointer)
            .cloned()
            .ok_or_else(|| format!("`{reference}`: `{file}` has nothing at `{pointer}`"))?;
        let name = match self.local.get(&own) {
            Some(mine) if *mine != schema => {
                let renamed = self.free_name(&format!("{}{own}", file_stem_pascal(file)));
                self.notes.push(format!(
                    "{ATTENTION}`{own}` of {file} is imported as `{renamed}`: the document has a different `{own}` of its own"
                ));
                renamed
            }
            _ => {
                self.notes.push(format!("imported `{own}`"));
                own
            }
        };
        self.names.insert(key.clone(), name.clone());
        self.imported.insert(name.clone(), Value::Null);
        self.rewrite_refs(&mut schema, Some(&key.0))?;
        self.imported.insert(name.clone(), schema);
        Ok(name)
    }

    /// `wanted`, or `wanted2`, `wanted3`… if a schema already has that name.
    fn free_name(&self, wanted: &str) -> String {
        let taken = |n: &str| self.local.contains_key(n) || self.imported.contains_key(n);
        (1..)
            .map(|i| match i {
                1 => wanted.to_string(),
                i => format!("{wanted}{i}"),
            })
            .find(|n| !taken(n))
            .unwrap_or_default()
    }
}

/// `../common/common-schemas.json` → `CommonSchemas`.
fn file_stem_pascal(file: &str) -> String {
    let stem = file.rsplit('/').next().unwrap_or(file);
    let stem = stem.strip_suffix(".json").unwrap_or(stem);
    pascal_case(stem)
}

/// Resolves `path` relative to the folder of `base` (both relative to the root document).
fn join_relative(base: Option<&str>, path: &str) -> String {
    let mut parts: Vec<&str> = match base {
        Some(base) => base.split('/').collect(),
        None => vec![""],
    };
    parts.pop();
    for segment in path.split('/') {
        match segment {
            "." | "" => {}
            ".." if parts.last().is_some_and(|p| !p.is_empty() && *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.retain(|p| !p.is_empty());
    parts.join("/")
}

/// `declare_path_parameters`: declares every `{name}` of a path template that neither the
/// operation nor its path item declares, as a required string path parameter
/// (`{"name": name, "in": "path", "required": true, "schema": {"type": "string"}}`).
///
/// progenitor maps each variable of the template to a declared parameter and panics
/// (`missing path name mapping`) on one it cannot find. Upstream leaves `{noteId}` undeclared on
/// the update and delete note operations.
fn declare_path_parameters(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    let components = doc
        .pointer("/components/parameters")
        .cloned()
        .unwrap_or(Value::Null);
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return Ok(notes);
    };
    for (path, item) in paths.iter_mut() {
        let Value::Object(item) = item else { continue };
        let template = path_template_names(path);
        let declared_by_item = declared_path_names(item.get("parameters"), &components);
        for (method, op) in item.iter_mut() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let declared = declared_path_names(op.get("parameters"), &components);
            let missing: Vec<&String> = template
                .iter()
                .filter(|name| !declared.contains(*name) && !declared_by_item.contains(*name))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let id = operation_id(op);
            let params = op
                .as_object_mut()
                .ok_or_else(|| format!("{id}: the operation is not an object"))?
                .entry("parameters")
                .or_insert_with(|| json!([]));
            let Value::Array(params) = params else {
                return Err(format!("{id}: `parameters` is not a list"));
            };
            for name in missing {
                params.push(json!({
                    "name": name,
                    "in": "path",
                    "required": true,
                    "schema": {"type": "string"}
                }));
                notes.push(format!(
                    "{id}: declared the path parameter `{name}` of {path}"
                ));
            }
        }
    }
    Ok(notes)
}

/// The variables of a path template, in order, each once: `/a/{x}/b/{y}` -> `x`, `y`.
fn path_template_names(path: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start + 1..].find('}') else {
            break;
        };
        let name = &rest[start + 1..start + 1 + len];
        if !name.is_empty() && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
        rest = &rest[start + 1 + len + 1..];
    }
    names
}

/// The names of the path parameters in a `parameters` list, following references into
/// `components/parameters` (given as `components`).
fn declared_path_names(params: Option<&Value>, components: &Value) -> BTreeSet<String> {
    let Some(Value::Array(params)) = params else {
        return BTreeSet::new();
    };
    params
        .iter()
        .filter_map(|param| {
            let param = match param.get("$ref").and_then(Value::as_str) {
                Some(reference) => {
                    components.get(reference.strip_prefix("#/components/parameters/")?)?
                }
                None => param,
            };
            (param.get("in").and_then(Value::as_str) == Some("path"))
                .then(|| {
                    param
                        .get("name")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .flatten()
        })
        .collect()
}

/// Whether a response status is an error: 4xx or 5xx, or the ranges `4XX` and `5XX`.
fn is_error_status(status: &str) -> bool {
    status.starts_with('4') || status.starts_with('5')
}

/// Name of the error body schema every error status shares.
pub const ERROR_SCHEMA: &str = "ApiErrorBody";
/// Name of the `message` schema of the error body (a string or a list of strings).
pub const ERROR_MESSAGE_SCHEMA: &str = "ApiErrorMessage";

/// `declare_statuses`: declares the statuses pipeline.toml's `[statuses]` lists for an
/// operation (the Calendars pipeline: 404 for an unknown calendar id, 409 for a slug another
/// calendar of the location has), each with its description. Runs before
/// [`shared_error_schema`], which gives them the error body.
///
/// A status the document leaves out is one a conformance tester (Schemathesis) reports as
/// undocumented, and that users of the document cannot plan for. A status upstream already
/// documents is left as it is, with a note that its entry can go.
fn declare_statuses(doc: &mut Value, ctx: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    let mut unused: BTreeSet<&String> = ctx.config.statuses.keys().collect();
    for op in operations_mut(doc) {
        let id = operation_id(op);
        let Some(wanted) = ctx.config.statuses.get(&id) else {
            continue;
        };
        unused.remove(&id);
        let responses = op
            .get_mut("responses")
            .and_then(Value::as_object_mut)
            .ok_or_else(|| format!("{id} has no responses"))?;
        for (status, description) in wanted {
            if responses.contains_key(status) {
                notes.push(format!(
                    "{ATTENTION}{id} documents {status} upstream now; its [statuses] entry can go"
                ));
            } else {
                responses.insert(status.clone(), json!({ "description": description }));
                notes.push(format!("{id}: declared {status}"));
            }
        }
    }
    for id in unused {
        notes.push(format!(
            "[statuses] names {id}, which is not kept; nothing declared"
        ));
    }
    Ok(notes)
}

/// `shared_error_schema`: gives every error response (each 4xx and 5xx status, ranges such as
/// `4XX` included, documented with its own schema, with none, or added here) the one body
/// schema [`ERROR_SCHEMA`], and declares 422 and 429 where they are missing.
///
/// progenitor accepts one error type per operation and panics on two (progenitor#344); the
/// schedule operations, say, document 404 and 422 with bodies of their own or none. HighLevel
/// sends the same body for every error.
fn shared_error_schema(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    let schemas = components_schemas(doc);
    schemas.insert(
        ERROR_SCHEMA.into(),
        json!({
            "type": "object",
            "description": "The body HighLevel sends with every error status. Every field may be absent or null.",
            "properties": {
                "statusCode": {"type": "integer", "nullable": true, "description": "The HTTP status, repeated."},
                "message": {"allOf": [{"$ref": format!("{SCHEMA_REF_PREFIX}{ERROR_MESSAGE_SCHEMA}")}], "nullable": true, "description": "What went wrong: one message, or one per invalid field."},
                "error": {"type": "string", "nullable": true, "description": "The status text, such as `Unprocessable Entity`."},
                "traceId": {"type": "string", "nullable": true, "description": "HighLevel's identifier of the request; support asks for it."}
            }
        }),
    );
    schemas.insert(
        ERROR_MESSAGE_SCHEMA.into(),
        json!({
            "description": "One message, or a list of messages (HighLevel sends a list for validation errors).",
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
        }),
    );
    let error_body = json!({
        "content": {"application/json": {"schema": {"$ref": format!("{SCHEMA_REF_PREFIX}{ERROR_SCHEMA}")}}}
    });
    for op in operations_mut(doc) {
        let id = operation_id(op);
        let responses = op
            .get_mut("responses")
            .and_then(Value::as_object_mut)
            .ok_or("an operation has no responses")?;
        for (status, description) in [
            (
                "422",
                "Unprocessable Entity: the body breaks a rule (not listed upstream)",
            ),
            (
                "429",
                "Too Many Requests: a rate limit is exhausted (not listed upstream)",
            ),
        ] {
            if !responses.contains_key(status) {
                notes.push(format!("{id}: declared {status}"));
            }
            responses
                .entry(status)
                .or_insert_with(|| json!({"description": description}));
        }
        for (status, response) in responses.iter_mut() {
            if is_error_status(status) {
                let response = response
                    .as_object_mut()
                    .ok_or("a response is not an object")?;
                if response.get("content") != Some(&error_body["content"]) {
                    notes.push(format!("{id}: {status} body is `{ERROR_SCHEMA}`"));
                }
                response.insert("content".into(), error_body["content"].clone());
            }
        }
    }
    Ok(notes)
}

/// `declare_created_status`: for each POST operation whose operationId starts with `create`
/// (in any case: `create-calendar`, `createSchedule`) and that documents 200 but not 201, adds
/// a 201 response that is a copy of the 200.
///
/// The API answers such calls with 201 Created where upstream documents 200; an undocumented
/// status would reach users as an unexpected response. Other operations keep their statuses.
fn declare_created_status(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return Ok(notes);
    };
    for item in paths.values_mut() {
        let Some(op) = item.get_mut("post") else {
            continue;
        };
        let id = operation_id(op);
        if !is_create_operation_id(&id) {
            continue;
        }
        let responses = op.get_mut("responses").and_then(Value::as_object_mut);
        let Some(responses) = responses else { continue };
        if let Some(ok) = responses.get("200").cloned()
            && !responses.contains_key("201")
        {
            let mut created = ok;
            created["description"] = Value::String(
                "Created (the status the API answers; upstream documents 200)".into(),
            );
            responses.insert("201".into(), created);
            notes.push(format!("{id}: declared 201 like 200"));
        }
    }
    Ok(notes)
}

/// `link_operations`: adds the OpenAPI `links` pipeline.toml's `[[links]]` lists (the
/// Calendars pipeline: create-calendar's 201 gives get, update and delete calendar their
/// `calendarId`). A link between operations that are not both kept is left out, with a note.
///
/// Stateful API testers (Schemathesis) follow links to chain calls; without them they guess,
/// and operations on one resource mostly meet unknown ids. Code generation ignores links.
fn link_operations(doc: &mut Value, ctx: &mut Context) -> Result<Notes, String> {
    let kept: BTreeSet<String> = operations(doc)
        .into_iter()
        .map(|(_, _, op)| operation_id(op))
        .collect();
    let mut notes = Notes::new();
    for link in &ctx.config.links {
        let name = &link.name;
        if !kept.contains(&link.from) || !kept.contains(&link.to) {
            notes.push(format!(
                "link {name} ({} to {}) left out: both operations must be kept",
                link.from, link.to
            ));
            continue;
        }
        let Some(op) = operations_mut(doc)
            .into_iter()
            .find(|op| operation_id(op) == link.from)
        else {
            continue;
        };
        let status = &link.status;
        let answer = op
            .pointer_mut(&format!("/responses/{status}"))
            .and_then(Value::as_object_mut)
            .ok_or_else(|| format!("link {name}: {} documents no {status}", link.from))?;
        let links = answer
            .entry("links")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .ok_or_else(|| format!("{}'s {status} `links` is not an object", link.from))?;
        if links.contains_key(name) {
            notes.push(format!(
                "{ATTENTION}{} links {name} upstream now; its [[links]] entry can go",
                link.from
            ));
            continue;
        }
        links.insert(
            name.clone(),
            json!({ "operationId": link.to, "parameters": link.parameters }),
        );
        notes.push(format!("{}: linked to {}", link.from, link.to));
    }
    Ok(notes)
}

/// Whether an operationId names an operation that creates something: it starts with `create`
/// in any case (`create-calendar`, `createSchedule`; not `validate-groups-slug`).
fn is_create_operation_id(id: &str) -> bool {
    id.get(..6)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("create"))
}

/// The operation extension that records the `Version` header value an operation wants.
pub const VERSION_EXTENSION: &str = "x-highlevel-version";

/// `version_header_to_extension`: removes the `Version` header parameter (declared by an
/// operation or by its path item) and records its value on each operation as
/// `x-highlevel-version`. When every operation that wants a version wants the same one, it
/// becomes `info.version`; otherwise `info.version` stays as upstream has it, with a note.
///
/// The client sends the header by itself, so callers never pass it; progenitor makes
/// `info.version` `Client::api_version()` and build.rs `API_VERSION`. The value is read from a
/// one-value enum or else from the default; a header with neither is an error, since the client
/// could not know what to send.
fn version_header_to_extension(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    let mut values = BTreeSet::new();
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            let Value::Object(item) = item else { continue };
            let for_item = take_version_header(item).map_err(|e| format!("{path}: {e}"))?;
            for (method, op) in item.iter_mut() {
                if !METHODS.contains(&method.as_str()) {
                    continue;
                }
                let id = operation_id(op);
                let op = op
                    .as_object_mut()
                    .ok_or_else(|| format!("{id}: the operation is not an object"))?;
                let own = take_version_header(op).map_err(|e| format!("{id}: {e}"))?;
                if let Some(version) = own.or_else(|| for_item.clone()) {
                    notes.push(format!(
                        "{id}: the Version header ({version}) is now {VERSION_EXTENSION}"
                    ));
                    op.insert(VERSION_EXTENSION.into(), Value::String(version));
                }
                if let Some(version) = op.get(VERSION_EXTENSION).and_then(Value::as_str) {
                    values.insert(version.to_string());
                }
            }
        }
    }
    match values.len() {
        0 => {}
        1 => {
            let version = values.pop_first().unwrap_or_default();
            if doc.pointer("/info/version").and_then(Value::as_str) != Some(version.as_str()) {
                notes.push(format!("info.version is {version}"));
            }
            doc["info"]["version"] = Value::String(version);
        }
        _ => notes.push(format!(
            "{ATTENTION}the operations want different Version headers ({}), so info.version stays {}; each operation's is in {VERSION_EXTENSION}",
            values.into_iter().collect::<Vec<_>>().join(", "),
            doc.pointer("/info/version").unwrap_or(&Value::Null)
        )),
    }
    Ok(notes)
}

/// Removes the `Version` header parameters from the `parameters` of `holder` (an operation or a
/// path item), dropping the list once empty, and returns the value they ask for.
fn take_version_header(holder: &mut Map<String, Value>) -> Result<Option<String>, String> {
    let params = match holder.remove("parameters") {
        Some(Value::Array(params)) => params,
        Some(other) => {
            holder.insert("parameters".into(), other);
            return Ok(None);
        }
        None => return Ok(None),
    };
    let mut kept = Vec::new();
    let mut version = None;
    for param in params {
        let is_version = param.get("in").and_then(Value::as_str) == Some("header")
            && param
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case("version"));
        if !is_version {
            kept.push(param);
            continue;
        }
        let schema = param.get("schema").cloned().unwrap_or(Value::Null);
        let value = match schema.get("enum").and_then(Value::as_array) {
            Some(values) if values.len() == 1 => values[0].as_str().map(str::to_string),
            _ => schema
                .get("default")
                .and_then(Value::as_str)
                .map(str::to_string),
        };
        version =
            Some(value.ok_or(
                "the Version header has no single value (one-value enum or default) to send",
            )?);
    }
    if !kept.is_empty() {
        holder.insert("parameters".into(), Value::Array(kept));
    }
    Ok(version)
}

/// A schema typed `object` with no properties at all but a text `example` (upstream's
/// `startTime: {type: object, example: "2023-09-25T16:00:00+05:30"}`) describes a text: it
/// becomes `type: string`. Left as it is, the generated type is a map, and every real answer
/// carrying the date fails to decode.
fn string_examples_type_untyped_objects(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    visit_all_schemas_mut(doc, &mut |schema| {
        let Some(object) = schema.as_object_mut() else {
            return;
        };
        let untyped_object = object.get("type").and_then(Value::as_str) == Some("object")
            && !object.contains_key("properties")
            && !object.contains_key("additionalProperties");
        if let Some(example) = object.get("example").and_then(Value::as_str)
            && untyped_object
        {
            notes.push(format!(
                "an object with the example {example:?} is a string"
            ));
            object.insert("type".into(), Value::String("string".into()));
        }
    });
    Ok(notes)
}

fn drop_defaults(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    visit_all_schemas_mut(doc, &mut |schema| {
        if let Some(default) = schema.as_object_mut().and_then(|o| o.remove("default")) {
            append_description(schema, &format!("Server default: `{default}`."));
            notes.push(format!("dropped default `{default}`"));
        }
    });
    Ok(notes)
}

fn drop_read_only_request_properties(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    let (requests, responses) = request_and_response_schemas(doc);
    let schemas = components_schemas(doc);
    for name in requests.difference(&responses) {
        let Some(schema) = schemas.get_mut(name) else {
            continue;
        };
        let Some(Value::Object(props)) = schema.get_mut("properties") else {
            continue;
        };
        let dropped: Vec<String> = props
            .iter()
            .filter(|(_, p)| p.get("readOnly") == Some(&Value::Bool(true)))
            .map(|(k, _)| k.clone())
            .collect();
        for key in &dropped {
            props.remove(key);
            notes.push(format!("dropped {name}.{key}"));
        }
        if let Some(Value::Array(required)) = schema.get_mut("required") {
            required.retain(|r| !dropped.iter().any(|d| Some(d.as_str()) == r.as_str()));
        }
    }
    Ok(notes)
}

fn number_enums_to_rules(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    visit_all_schemas_mut(doc, &mut |schema| {
        let numeric = matches!(
            schema.get("type").and_then(Value::as_str),
            Some("number" | "integer")
        );
        if !numeric {
            return;
        }
        if let Some(Value::Array(values)) = schema.as_object_mut().and_then(|o| o.remove("enum")) {
            let list: Vec<String> = values.iter().map(Value::to_string).collect();
            append_description(schema, &format!("Allowed values: {}.", list.join(", ")));
            notes.push(format!(
                "enum [{}] became x-allowed-values",
                list.join(", ")
            ));
            schema["x-allowed-values"] = Value::Array(values);
        }
    });
    Ok(notes)
}

/// `name_inline_enums`: moves each inline string enum of a component's property (or of the
/// items of an array property) into a named component, so build.rs makes it an open enum.
///
/// The name is the one `[enum_names]` of pipeline.toml gives `"Schema.property"`, else the
/// PascalCase of the property (`calendarType` -> `CalendarType`); see [`choose_enum_names`] for
/// what happens when enums with different values would share a name. An enum whose values
/// build.rs cannot turn into distinct Rust variants (see [`variant_problem`]) stays a plain
/// string, its values listed in the description, with a note.
fn name_inline_enums(doc: &mut Value, ctx: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    let schemas = components_schemas(doc);
    let mut found: BTreeMap<EnumSite, Vec<Value>> = BTreeMap::new();
    for (schema_name, schema) in schemas.iter() {
        let Some(Value::Object(props)) = schema.get("properties") else {
            continue;
        };
        for (prop_name, prop) in props {
            if let Some(values) = inline_string_enum(prop).and_then(|t| t.get("enum")) {
                let values = values.as_array().cloned().unwrap_or_default();
                found.insert(EnumSite::new(schema_name, prop_name), values);
            }
        }
    }
    let mut named = BTreeMap::new();
    for (site, values) in found {
        match variant_problem(&values) {
            Some(problem) => {
                let target = enum_target(schemas, &site)?;
                let list: Vec<String> = values.iter().map(|v| format!("`{}`", plain(v))).collect();
                target.as_object_mut().map(|o| o.remove("enum"));
                append_description(target, &format!("Allowed values: {}.", list.join(", ")));
                notes.push(format!(
                    "{ATTENTION}{site}: {problem}, so it cannot be an open enum; it stays a plain string (its values are in the description)"
                ));
            }
            None => {
                named.insert(site, values);
            }
        }
    }
    let existing: BTreeSet<String> = schemas.keys().cloned().collect();
    let (names, clash_notes) = choose_enum_names(&named, &ctx.config.enum_names, &existing)?;
    notes.extend(clash_notes);
    for (site, name) in &names {
        let target = enum_target(schemas, site)?;
        let obj = target
            .as_object_mut()
            .ok_or_else(|| format!("{site} is not an object"))?;
        obj.remove("enum");
        obj.remove("type");
        obj.insert(
            "allOf".into(),
            json!([{"$ref": format!("{SCHEMA_REF_PREFIX}{name}")}]),
        );
        notes.push(format!("{site} is the enum `{name}`"));
    }
    for (site, name) in names {
        schemas.insert(name, json!({"type": "string", "enum": named[&site]}));
    }
    Ok(notes)
}

/// Where an inline enum is: a property of a component schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct EnumSite {
    schema: String,
    property: String,
}

impl EnumSite {
    fn new(schema: &str, property: &str) -> EnumSite {
        EnumSite {
            schema: schema.to_string(),
            property: property.to_string(),
        }
    }

    /// The name PascalCase of schema and property make: `AppointmentSchemaResponse` +
    /// `appointmentStatus` -> `AppointmentSchemaResponseAppointmentStatus`.
    fn qualified_name(&self) -> String {
        format!(
            "{}{}",
            pascal_case(&self.schema),
            pascal_case(&self.property)
        )
    }
}

/// `Schema.property`, the key of `[enum_names]`.
impl std::fmt::Display for EnumSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.schema, self.property)
    }
}

/// The schema holding an inline string enum: the property itself, or its items for an array.
fn inline_string_enum(prop: &Value) -> Option<&Value> {
    let target = if prop.get("type").and_then(Value::as_str) == Some("array") {
        prop.get("items")?
    } else {
        prop
    };
    (target.get("type").and_then(Value::as_str) == Some("string") && target.get("enum").is_some())
        .then_some(target)
}

/// The mutable counterpart of [`inline_string_enum`] for a site found before.
fn enum_target<'a>(
    schemas: &'a mut Map<String, Value>,
    site: &EnumSite,
) -> Result<&'a mut Value, String> {
    let prop = schemas
        .get_mut(&site.schema)
        .and_then(|s| s.get_mut("properties"))
        .and_then(|p| p.get_mut(&site.property))
        .ok_or_else(|| format!("{site} vanished"))?;
    if prop.get("type").and_then(Value::as_str) == Some("array") {
        prop.get_mut("items")
            .ok_or_else(|| format!("{site} has no items"))
    } else {
        Ok(prop)
    }
}

/// A value as it reads in a note: a string without its quotes, anything else as JSON.
fn plain(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_string)
}

/// Chooses the component name of every inline enum (`enums`, by site, with their values) and
/// returns the names and the notes on names it had to make up.
///
/// Each enum first gets its `[enum_names]` entry (`configured`) or the PascalCase of its
/// property. Enums that land on the same name with the same values share it. When they allow
/// different values, a configured name stays with the configured enums (and with unconfigured
/// ones of the same values), and every other enum of the clash is named after its schema and
/// property ([`EnumSite::qualified_name`]), with a note that says so and how to rename. So is
/// an unconfigured enum whose name is already a schema of the document. Two configured enums of
/// one name and different values, or a configured name that is already a schema, are errors:
/// the configuration contradicts itself. Everything runs in the order of the sites, so the
/// names depend on the document only, never on the order of its maps.
fn choose_enum_names(
    enums: &BTreeMap<EnumSite, Vec<Value>>,
    configured: &BTreeMap<String, String>,
    existing: &BTreeSet<String>,
) -> Result<(BTreeMap<EnumSite, String>, Notes), String> {
    let configured_name = |site: &EnumSite| configured.get(&site.to_string()).cloned();
    let mut groups: BTreeMap<String, Vec<&EnumSite>> = BTreeMap::new();
    for site in enums.keys() {
        let name = configured_name(site).unwrap_or_else(|| pascal_case(&site.property));
        groups.entry(name).or_default().push(site);
    }
    let mut names: BTreeMap<EnumSite, String> = BTreeMap::new();
    let mut taken: BTreeMap<String, &Vec<Value>> = BTreeMap::new();
    let mut to_qualify: Vec<(&String, &EnumSite)> = Vec::new();
    for (name, sites) in &groups {
        let owners: Vec<&EnumSite> = sites
            .iter()
            .copied()
            .filter(|s| configured_name(s).is_some())
            .collect();
        if let Some(first) = owners.first() {
            if let Some(other) = owners.iter().find(|s| enums[**s] != enums[*first]) {
                return Err(format!(
                    "[enum_names] of openapi/pipeline.toml names both `{first}` and `{other}` `{name}`, but they allow different values; give one of them another name"
                ));
            }
            if existing.contains(name) {
                return Err(format!(
                    "enum name `{name}` (for `{first}` in [enum_names]) is already a schema of the document; choose another"
                ));
            }
        }
        let reference = owners.first().map(|s| &enums[*s]);
        let all_equal = sites.iter().all(|s| enums[*s] == enums[sites[0]]);
        for site in sites {
            let keeps = match reference {
                Some(values) => enums[*site] == *values,
                None => all_equal && !existing.contains(name),
            };
            if keeps {
                names.insert((*site).clone(), name.clone());
                taken.insert(name.clone(), &enums[*site]);
            } else {
                to_qualify.push((name, site));
            }
        }
    }
    // Made-up names come last, so that they never take a name chosen above.
    let mut renamed: BTreeMap<&String, Vec<(&EnumSite, String)>> = BTreeMap::new();
    for (name, site) in to_qualify {
        let base = site.qualified_name();
        let mut chosen = base.clone();
        let mut n = 2;
        while existing.contains(&chosen) || taken.get(&chosen).is_some_and(|v| **v != enums[site]) {
            chosen = format!("{base}{n}");
            n += 1;
        }
        taken.insert(chosen.clone(), &enums[site]);
        names.insert(site.clone(), chosen.clone());
        renamed.entry(name).or_default().push((site, chosen));
    }
    let notes = renamed
        .into_iter()
        .map(|(name, sites)| {
            let list: Vec<String> = sites
                .iter()
                .map(|(site, chosen)| format!("{site} -> `{chosen}`"))
                .collect();
            let kept: Vec<String> = names
                .iter()
                .filter(|(_, n)| *n == name)
                .map(|(site, _)| site.to_string())
                .collect();
            let why = if existing.contains(name) {
                format!("`{name}` is already a schema of the document")
            } else {
                format!("enums that would be named `{name}` allow different values")
            };
            let kept = if kept.is_empty() {
                String::new()
            } else {
                let verb = if kept.len() == 1 { "keeps" } else { "keep" };
                format!(" ({} {verb} `{name}`)", kept.join(", "))
            };
            format!(
                "{ATTENTION}{why}: named {}{kept}; a line `\"Schema.property\" = \"Name\"` in [enum_names] of openapi/pipeline.toml names one otherwise",
                list.join(", ")
            )
        })
        .collect();
    Ok((names, notes))
}

/// Why build.rs cannot make an open enum of these values, if it cannot: a value that is not a
/// string, or one whose Rust variant is empty, reserved (`Unknown` holds the values the crate
/// does not know; `Self` is a keyword) or already that of an earlier value (`CT` and `ct`).
fn variant_problem(values: &[Value]) -> Option<String> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for value in values {
        let Some(text) = value.as_str() else {
            return Some(format!("the value {value} is not a string"));
        };
        let variant = variant_name(text);
        if variant.is_empty() {
            return Some(format!("the value `{text}` gives no Rust variant name"));
        }
        if variant == "Unknown" || variant == "Self" {
            return Some(format!(
                "the value `{text}` gives the Rust variant `{variant}`, which is reserved"
            ));
        }
        if let Some(first) = seen.insert(variant.clone(), text) {
            return Some(format!(
                "the values `{first}` and `{text}` both give the Rust variant `{variant}`"
            ));
        }
    }
    None
}

/// The Rust variant the generator makes of an enum value (`round_robin` -> `RoundRobin`,
/// `RedirectURL` -> `RedirectUrl`, `15` -> `V15`).
fn variant_name(value: &str) -> String {
    highlevel_codegen::pascal_case(value)
}

/// `calendarType` -> `CalendarType`, `slot_duration-unit` -> `SlotDurationUnit`: anything but a
/// letter or a digit separates words, so schema and property names make identifiers.
fn pascal_case(name: &str) -> String {
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

fn nullable_optional_response_properties(
    doc: &mut Value,
    _: &mut Context,
) -> Result<Notes, String> {
    let mut notes = Notes::new();
    let (_, responses) = request_and_response_schemas(doc);
    let schemas = components_schemas(doc);
    for name in &responses {
        let Some(schema) = schemas.get_mut(name) else {
            continue;
        };
        let required = required_names(schema.get("required"));
        let Some(Value::Object(props)) = schema.get_mut("properties") else {
            continue;
        };
        for (key, prop) in props.iter_mut() {
            if !required.contains(key) && prop.get("$ref").is_none() {
                if prop.get("nullable") != Some(&Value::Bool(true)) {
                    notes.push(format!("{name}.{key}"));
                }
                prop["nullable"] = Value::Bool(true);
            }
        }
    }
    Ok(notes)
}

fn prune_unreachable_components(doc: &mut Value, _: &mut Context) -> Result<Notes, String> {
    let mut notes = Notes::new();
    let roots: Vec<Value> = vec![doc["paths"].clone()];
    let root_refs: Vec<&Value> = roots.iter().collect();
    let keep = crate::spec::schema_walk::reachable_schema_names(doc, &root_refs);
    components_schemas(doc).retain(|name, _| {
        let kept = keep.contains(name);
        if !kept {
            notes.push(format!("dropped schema `{name}`"));
        }
        kept
    });
    // Security schemes are referenced by name from `security`, not by `$ref`.
    let used_schemes: BTreeSet<String> = operations(doc)
        .iter()
        .filter_map(|(_, _, op)| op.get("security")?.as_array().cloned())
        .flatten()
        .filter_map(|req| {
            req.as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>())
        })
        .flatten()
        .collect();
    if let Some(Value::Object(schemes)) = doc.pointer_mut("/components/securitySchemes") {
        schemes.retain(|name, _| {
            let kept = used_schemes.contains(name);
            if !kept {
                notes.push(format!("dropped security scheme `{name}`"));
            }
            kept
        });
    }
    let used_tags: BTreeSet<String> = operations(doc)
        .iter()
        .filter_map(|(_, _, op)| op.get("tags")?.as_array().cloned())
        .flatten()
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect();
    if let Some(Value::Array(tags)) = doc.get_mut("tags") {
        tags.retain(|t| {
            let kept = t
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| used_tags.contains(n));
            if !kept {
                notes.push(format!(
                    "dropped tag {}",
                    t.get("name").unwrap_or(&Value::Null)
                ));
            }
            kept
        });
    }
    Ok(notes)
}

/// The operationId of an operation, for notes (`?` when it has none).
pub(crate) fn operation_id(op: &Value) -> String {
    op.get("operationId")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_string()
}

fn components_schemas(doc: &mut Value) -> &mut Map<String, Value> {
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
mod tests {
    use super::*;

    #[test]
    fn relative_paths_resolve_from_the_referencing_file() {
        assert_eq!(
            join_relative(None, "../common/common-schemas.json"),
            "../common/common-schemas.json"
        );
        assert_eq!(join_relative(Some("a/b.json"), "c.json"), "a/c.json");
        assert_eq!(join_relative(Some("a/b.json"), "../c.json"), "c.json");
        assert_eq!(
            join_relative(Some("../common/x.json"), "y.json"),
            "../common/y.json"
        );
    }

    /// The shared file of the bundling test: its `Error` differs from the document's own.
    struct Common;

    impl Loader for Common {
        fn load(&mut self, relative: &str) -> Result<Value, String> {
            assert_eq!(relative, "../common/common-schemas.json");
            Ok(json!({"components": {"schemas": {
                "Error": {"type": "object", "properties": {"code": {"$ref": "#/components/schemas/Code"}}},
                "Code": {"type": "number"}
            }}}))
        }
    }

    #[test]
    fn an_external_schema_named_like_a_different_local_one_is_renamed() {
        let mut doc = json!({
            "paths": {"/a": {"get": {"responses": {
                "400": {"content": {"application/json": {"schema":
                    {"$ref": "../common/common-schemas.json#/components/schemas/Error"}}}},
                "404": {"content": {"application/json": {"schema":
                    {"$ref": "#/components/schemas/Error"}}}}
            }}}},
            "components": {"schemas": {"Error": {"type": "object"}}}
        });
        let config = Config::parse(
            "upstream = \"u\"\noutput = \"o\"\noperations = [\"x\"]",
            "t",
        )
        .expect("a valid configuration");
        let overlay = Overlay::default();
        let mut loader = Common;
        let mut ctx = Context {
            config: &config,
            loader: &mut loader,
            overlay: &overlay,
        };
        let notes = bundle_external_refs(&mut doc, &mut ctx).unwrap();
        let responses = &doc["paths"]["/a"]["get"]["responses"];
        let schema = |status: &str| {
            responses[status]["content"]["application/json"]["schema"]["$ref"].clone()
        };
        assert_eq!(schema("400"), "#/components/schemas/CommonSchemasError");
        assert_eq!(schema("404"), "#/components/schemas/Error");
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["Error"], json!({"type": "object"}));
        assert_eq!(
            schemas["CommonSchemasError"]["properties"]["code"]["$ref"],
            "#/components/schemas/Code"
        );
        assert_eq!(schemas["Code"], json!({"type": "number"}));
        assert!(notes[0].starts_with(ATTENTION), "{notes:?}");
        assert_eq!(notes.len(), 2, "{notes:?}");
    }

    #[test]
    fn path_templates_name_their_variables_once_in_order() {
        assert_eq!(
            path_template_names("/a/{x}/b/{y}/{x}"),
            ["x".to_string(), "y".to_string()]
        );
        assert!(path_template_names("/calendars/").is_empty());
        assert!(path_template_names("/a/{unclosed").is_empty());
    }

    #[test]
    fn create_operations_are_recognised_by_their_operation_id() {
        for id in ["create-calendar", "createSchedule", "CreateGroup", "create"] {
            assert!(is_create_operation_id(id), "{id}");
        }
        for id in [
            "validate-groups-slug",
            "get-create",
            "creat",
            "",
            "?",
            "é-create",
        ] {
            assert!(!is_create_operation_id(id), "{id}");
        }
    }

    #[test]
    fn variant_problem_refuses_exactly_what_build_rs_refuses() {
        let cases: [&[&str]; 8] = [
            &["a-b", "a_b"],
            &["CT", "ct"],
            &["unknown"],
            &["-"],
            &["round_robin", "RoundRobin"],
            &["ok", "15", "RedirectURL"],
            &["event", "class_booking"],
            &["RoundRobin_OptimizeForAvailability", "DAILY"],
        ];
        for values in cases {
            let values: Vec<Value> = values.iter().map(|v| json!(v)).collect();
            let doc = json!({
                "openapi": "3.0.0",
                "info": {"title": "t", "version": "1"},
                "paths": {},
                "components": {"schemas": {"E": {"type": "string", "enum": values}}}
            });
            let built = highlevel_codegen::generate(&doc.to_string(), "t.json");
            assert_eq!(
                built.is_err(),
                variant_problem(&values).is_some(),
                "{values:?}: {:?}",
                built.err()
            );
        }
        assert!(variant_problem(&[json!("self")]).is_some());
        assert!(variant_problem(&[json!(1)]).is_some());
    }

    #[test]
    fn a_made_up_enum_name_that_is_taken_gets_a_number() {
        let site = |s: &str, p: &str| EnumSite::new(s, p);
        let enums: BTreeMap<EnumSite, Vec<Value>> = [
            (site("Foo", "barBaz"), vec![json!("a")]),
            (site("X", "barBaz"), vec![json!("b")]),
            (site("FooBar", "baz"), vec![json!("c")]),
            (site("Y", "baz"), vec![json!("d")]),
            (site("Z", "thing"), vec![json!("e")]),
        ]
        .into_iter()
        .collect();
        let existing: BTreeSet<String> = ["Thing".to_string()].into_iter().collect();
        let (names, notes) = choose_enum_names(&enums, &BTreeMap::new(), &existing).unwrap();
        let chosen: Vec<(String, &str)> = names
            .iter()
            .map(|(site, name)| (site.to_string(), name.as_str()))
            .collect();
        assert_eq!(
            chosen,
            [
                ("Foo.barBaz".to_string(), "FooBarBaz"),
                ("FooBar.baz".to_string(), "FooBarBaz2"),
                ("X.barBaz".to_string(), "XBarBaz"),
                ("Y.baz".to_string(), "YBaz"),
                ("Z.thing".to_string(), "ZThing"),
            ]
        );
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(
            notes[2].contains("`Thing` is already a schema of the document"),
            "{}",
            notes[2]
        );
    }

    #[test]
    fn pascal_case_joins_words() {
        assert_eq!(pascal_case("calendarType"), "CalendarType");
        assert_eq!(pascal_case("slot_duration-unit"), "SlotDurationUnit");
        assert_eq!(pascal_case("Calendar.DTO v2"), "CalendarDTOV2");
    }
}
