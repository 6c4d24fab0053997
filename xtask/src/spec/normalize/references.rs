//! Steps about references between schemas: external files bundled in, and what no operation
//! reaches pruned.

use super::{ATTENTION, Context, Loader, Notes, components_schemas, pascal_case};
use crate::spec::schema_walk::{SCHEMA_REF_PREFIX, operations};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

pub(super) fn bundle_external_refs(doc: &mut Value, ctx: &mut Context) -> Result<Notes, String> {
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

pub(super) fn prune_unreachable_components(
    doc: &mut Value,
    _: &mut Context,
) -> Result<Notes, String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::config::Config;
    use crate::spec::overlay::Overlay;
    use serde_json::json;

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
}
