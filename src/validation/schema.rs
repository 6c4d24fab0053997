//! The create-calendar request schema of the normalized OpenAPI document, compiled once into a
//! small tree that the spec rules walk (over JSON in `spec_rules`, over a typed body in
//! `typed`). A rule HighLevel adds to its document is checked after regeneration without code
//! changes here. Paths are rendered only for violations.

use super::{Report, Rule};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// The normalized document build.rs generated the client from.
pub(super) const SPEC: &str = include_str!("../../openapi/calendars.json");
const OPERATION_ID: &str = "create-calendar";

/// The compiled request schema.
pub(super) fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let spec: Value =
            serde_json::from_str(SPEC).expect("build.rs already parsed openapi/calendars.json");
        Compiled::new(&spec)
    })
}

/// The JSON type a schema asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Object,
    Array,
    String,
    Number,
    Integer,
    Boolean,
}

impl Kind {
    fn parse(name: &str) -> Option<Kind> {
        Some(match name {
            "object" => Kind::Object,
            "array" => Kind::Array,
            "string" => Kind::String,
            "number" => Kind::Number,
            "integer" => Kind::Integer,
            "boolean" => Kind::Boolean,
            _ => return None,
        })
    }

    pub(super) fn accepts(self, value: &Value) -> bool {
        match self {
            Kind::Object => value.is_object(),
            Kind::Array => value.is_array(),
            Kind::String => value.is_string(),
            Kind::Number => value.is_number(),
            Kind::Integer => value.as_f64().is_some_and(|n| n.fract() == 0.0),
            Kind::Boolean => value.is_boolean(),
        }
    }

    pub(super) fn described(self) -> &'static str {
        match self {
            Kind::Object => "an object",
            Kind::Array => "an array",
            Kind::String => "a string",
            Kind::Number => "a number",
            Kind::Integer => "an integer",
            Kind::Boolean => "a boolean",
        }
    }
}

/// One schema, with everything the checks need.
#[derive(Default)]
pub(super) struct Node {
    pub(super) kind: Option<Kind>,
    pub(super) required: Vec<String>,
    pub(super) properties: Properties,
    pub(super) items: Option<usize>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    allowed_numbers: Option<Vec<f64>>,
    enum_values: Option<Vec<String>>,
}

impl Node {
    /// Checks a number against the node's range and allowed values.
    pub(super) fn check_number(&self, n: f64, path: &Path, report: &mut Report) {
        check_number(n, self, path, report);
    }

    /// Checks a string against the node's enum.
    pub(super) fn check_string(&self, s: &str, path: &Path, report: &mut Report) {
        if let Some(values) = &self.enum_values
            && !values.iter().any(|v| v == s)
        {
            report.add(
                path.to_string(),
                Rule::EnumValue,
                format!("must be one of {}", quoted(values)),
            );
        }
    }

    /// Reports a value of the wrong JSON type.
    pub(super) fn wrong_type(&self, kind: Kind, path: &Path, report: &mut Report) {
        report.add(
            path.to_string(),
            Rule::Type,
            format!("must be {}", kind.described()),
        );
    }
}

/// An object's properties, sorted by name: the node of each, and its bit in the object's
/// `required` list (when it is required).
#[derive(Default)]
pub(super) struct Properties(Vec<Property>);

pub(super) struct Property {
    name: String,
    node: usize,
    required_bit: Option<u32>,
    /// Where the `&'static str` a typed body last named this property lives. serde's derived
    /// code passes the same one on every call, so later lookups compare addresses, not bytes.
    seen_at: AtomicUsize,
}

/// What [`Properties::get_next`] found.
pub(super) struct Found {
    pub(super) node: usize,
    /// Bit `i` for `required[i]` (fits in a `u64`), else `None`.
    pub(super) required_bit: Option<u32>,
}

impl Properties {
    /// The node of property `name`.
    pub(super) fn get(&self, name: &str) -> Option<usize> {
        self.0
            .binary_search_by(|p| p.name.as_str().cmp(name))
            .ok()
            .map(|i| self.0[i].node)
    }

    /// Property `name` of a typed body, looked for first from `cursor` on: the fields arrive in
    /// this (alphabetical) order with the absent ones skipped, and by the address of a name
    /// seen before, so a valid body costs a few integer comparisons per field. A name not seen
    /// yet is found by comparing text.
    pub(super) fn get_next(&self, name: &'static str, cursor: &mut usize) -> Option<Found> {
        let address = name.as_ptr() as usize;
        let ahead = self.0.get(*cursor..).unwrap_or_default();
        // Same address and length: the same static text, so the same property.
        let seen = ahead
            .iter()
            .position(|p| p.seen_at.load(Relaxed) == address && p.name.len() == name.len());
        let i = match seen {
            Some(offset) => *cursor + offset,
            None => {
                let i = self
                    .0
                    .binary_search_by(|p| p.name.as_str().cmp(name))
                    .ok()?;
                self.0[i].seen_at.store(address, Relaxed);
                i
            }
        };
        *cursor = i + 1;
        let found = &self.0[i];
        Some(Found {
            node: found.node,
            required_bit: found.required_bit,
        })
    }
}

/// Reports the required field `name` of the object at `path` as missing.
pub(super) fn missing(name: &str, path: &Path, report: &mut Report) {
    report.add(
        Path::Key(path, name).to_string(),
        Rule::Required,
        "is required",
    );
}

/// The request schema as an arena of nodes (named schemas are compiled once, so recursion
/// through `$ref` terminates).
pub(super) struct Compiled {
    pub(super) nodes: Vec<Node>,
    pub(super) root: usize,
}

impl Compiled {
    fn new(spec: &Value) -> Compiled {
        let root_schema = spec["paths"]
            .as_object()
            .into_iter()
            .flat_map(|paths| paths.values())
            .filter_map(Value::as_object)
            .flat_map(|item| item.values())
            .find(|op| op["operationId"] == OPERATION_ID)
            .map(|op| &op["requestBody"]["content"]["application/json"]["schema"])
            .expect("the normalized document has the create-calendar operation");
        let mut builder = Builder {
            spec,
            nodes: Vec::new(),
            named: BTreeMap::new(),
        };
        let root = builder.compile(root_schema);
        Compiled {
            nodes: builder.nodes,
            root,
        }
    }
}

fn check_number(n: f64, node: &Node, path: &Path, report: &mut Report) {
    let below = node.minimum.is_some_and(|min| n < min);
    let above = node.maximum.is_some_and(|max| n > max);
    if below || above {
        let message = match (node.minimum, node.maximum) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            (None, Some(max)) => format!("must be at most {max}"),
            (None, None) => unreachable!("a bound was crossed"),
        };
        report.add(path.to_string(), Rule::Range, message);
    }
    if let Some(allowed) = &node.allowed_numbers
        && !allowed.contains(&n)
    {
        let list: Vec<String> = allowed.iter().map(f64::to_string).collect();
        report.add(
            path.to_string(),
            Rule::AllowedNumber,
            format!("must be one of {}", list.join(", ")),
        );
    }
}

fn quoted(values: &[String]) -> String {
    let list: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
    list.join(", ")
}

struct Builder<'a> {
    spec: &'a Value,
    nodes: Vec<Node>,
    named: BTreeMap<&'a str, usize>,
}

impl<'a> Builder<'a> {
    /// Compiles `schema`, following `$ref` and single-element `allOf` to the schema that says
    /// something.
    fn compile(&mut self, schema: &'a Value) -> usize {
        if let Some(name) = schema["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            if let Some(&index) = self.named.get(name) {
                return index;
            }
            let target = &self.spec["components"]["schemas"][name];
            if is_wrapper(target) {
                let index = self.compile(target);
                self.named.insert(name, index);
                return index;
            }
            // Registered before its children are compiled, so a recursive schema terminates.
            let index = self.reserve();
            self.named.insert(name, index);
            self.fill(index, target);
            return index;
        }
        if let Some([only]) = schema["allOf"].as_array().map(Vec::as_slice) {
            return self.compile(only);
        }
        let index = self.reserve();
        self.fill(index, schema);
        index
    }

    fn reserve(&mut self) -> usize {
        self.nodes.push(Node::default());
        self.nodes.len() - 1
    }

    fn fill(&mut self, index: usize, schema: &'a Value) {
        let strings = |key: &str| -> Option<Vec<String>> {
            schema[key].as_array().map(|values| {
                values
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
        };
        let required = strings("required").unwrap_or_default();
        let mut properties: Vec<Property> = schema["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, child)| Property {
                name: name.clone(),
                node: self.compile(child),
                required_bit: required
                    .iter()
                    .position(|r| r == name)
                    .and_then(|i| u32::try_from(i).ok())
                    .filter(|&i| i < u64::BITS),
                seen_at: AtomicUsize::new(0),
            })
            .collect();
        properties.sort_by(|a, b| a.name.cmp(&b.name));
        let properties = Properties(properties);
        let items = schema.get("items").map(|items| self.compile(items));
        self.nodes[index] = Node {
            kind: schema["type"].as_str().and_then(Kind::parse),
            required,
            properties,
            items,
            minimum: schema["minimum"].as_f64(),
            maximum: schema["maximum"].as_f64(),
            allowed_numbers: schema["x-allowed-values"]
                .as_array()
                .map(|values| values.iter().filter_map(Value::as_f64).collect()),
            enum_values: strings("enum"),
        };
    }
}

/// Whether `schema` only points at another schema.
fn is_wrapper(schema: &Value) -> bool {
    schema.get("$ref").is_some() || schema["allOf"].as_array().is_some_and(|a| a.len() == 1)
}

/// A field path, rendered only when a violation needs it: `teamMembers[1].userId`.
pub(super) enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(Path::Root, key) => f.write_str(key),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}
