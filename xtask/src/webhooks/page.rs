//! One of HighLevel's webhook event pages (Markdown): its JSON Schema and its examples.

use serde_json::{Map, Value};
use std::path::Path;

/// What a page documents.
#[derive(Debug, Clone)]
pub struct Page {
    /// The file name without `.md`, such as `AppointmentCreate`: the variant's name.
    pub name: String,
    /// The page's JSON Schema (a page that gives a sketch of the body, with type names as
    /// values, has it turned into one).
    pub schema: Value,
    /// The example bodies, in page order.
    pub examples: Vec<Value>,
    /// Repairs made to blocks that were not valid JSON as published.
    pub repairs: Vec<String>,
}

/// Reads every `*.md` page of `dir`, sorted by name.
pub fn read_dir(dir: &Path) -> Result<Vec<Page>, String> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .ok_or_else(|| format!("{}: a file name that is not UTF-8", path.display()))?;
            parse(name, &text).map_err(|e| format!("{}: {e}", path.display()))
        })
        .collect()
}

/// A parsed block and its info words.
type Tagged = (String, Value);

/// A fenced `json` block: its info words after `json`, and its text.
struct Block {
    info: String,
    text: String,
}

/// Reads the page `name` from its Markdown text.
pub fn parse(name: &str, text: &str) -> Result<Page, String> {
    let mut repairs = Vec::new();
    let mut parsed = Vec::new();
    for (index, block) in json_blocks(text).into_iter().enumerate() {
        let value = parse_json(&block.text).or_else(|e| {
            let repaired = drop_trailing_commas(&block.text);
            parse_json(&repaired)
                .inspect(|_| {
                    repairs.push(format!("block {}: trailing commas dropped", index + 1));
                })
                .map_err(|_| format!("JSON block {} does not parse: {e}", index + 1))
        })?;
        parsed.push((block.info, value));
    }
    if parsed.is_empty() {
        return Err("no JSON block".into());
    }
    let tagged = |info: &str| info.split_whitespace().any(|w| w == "json_schema");
    // The blocks marked `json_schema` are the schema (a page with several, one per kind of
    // message, documents the union of their fields); a page with none has its schema first.
    let (schemas, examples): (Vec<Tagged>, Vec<Tagged>) =
        if parsed.iter().any(|(info, _)| tagged(info)) {
            parsed.into_iter().partition(|(info, _)| tagged(info))
        } else {
            let mut blocks = parsed.into_iter();
            let first = blocks.next().into_iter().collect();
            (first, blocks.collect())
        };
    let mut schema = Value::Null;
    for (_, block) in schemas {
        let block = if is_schema(&block) {
            block
        } else {
            repairs.push("the body sketch was read as a schema".into());
            from_sketch(&block)
        };
        schema = merge(schema, block);
    }
    let examples = examples.into_iter().map(|(_, v)| v).collect();
    Ok(Page {
        name: name.to_string(),
        schema,
        examples,
        repairs,
    })
}

fn json_blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        match current.as_mut() {
            Some(block) if trimmed.starts_with("```") => {
                blocks.push(std::mem::replace(
                    block,
                    Block {
                        info: String::new(),
                        text: String::new(),
                    },
                ));
                current = None;
            }
            Some(block) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            None => {
                let Some(info) = trimmed.strip_prefix("```") else {
                    continue;
                };
                let Some(after) = info.strip_prefix("json") else {
                    // Another language's block: read to its end, then dropped.
                    current = Some(Block {
                        info: "skip".into(),
                        text: String::new(),
                    });
                    continue;
                };
                // Some pages start the JSON on the fence's own line ("```json{").
                let (info, text) = match after.find(['{', '[']) {
                    Some(at) => (
                        after[..at].trim().to_string(),
                        format!("{}\n", &after[at..]),
                    ),
                    None => (after.trim().to_string(), String::new()),
                };
                current = Some(Block { info, text });
            }
        }
    }
    blocks.retain(|b| b.info != "skip");
    blocks
}

fn parse_json(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text)
}

/// Drops each `,` that only whitespace separates from a closing `}` or `]`, outside strings.
fn drop_trailing_commas(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        if c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some('}' | ']')) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// The union of two schemas' properties; where both have one, `a`'s, with the properties of
/// the two merged when both are objects.
fn merge(a: Value, b: Value) -> Value {
    let (Value::Object(mut a), Value::Object(b)) = (a.clone(), b.clone()) else {
        return if a.is_null() { b } else { a };
    };
    let b_properties = b.get("properties").and_then(Value::as_object).cloned();
    if let (Some(Value::Object(into)), Some(from)) = (a.get_mut("properties"), b_properties) {
        for (key, value) in from {
            let merged = match into.remove(&key) {
                Some(existing) => merge(existing, value),
                None => value,
            };
            into.insert(key, merged);
        }
    }
    Value::Object(a)
}

fn is_schema(value: &Value) -> bool {
    value.get("properties").is_some_and(Value::is_object)
        && value.get("type").and_then(Value::as_str) == Some("object")
}

/// A schema from a sketch of the body whose values are type names: `"string"`,
/// `["string"]`, `{ ... }`.
fn from_sketch(sketch: &Value) -> Value {
    match sketch {
        Value::String(type_name) => serde_json::json!({ "type": type_name }),
        Value::Array(items) => match items.first() {
            Some(item) => serde_json::json!({ "type": "array", "items": from_sketch(item) }),
            None => serde_json::json!({ "type": "array" }),
        },
        Value::Object(fields) => {
            let properties: Map<String, Value> = fields
                .iter()
                .map(|(k, v)| (k.clone(), from_sketch(v)))
                .collect();
            serde_json::json!({ "type": "object", "properties": properties })
        }
        _ => serde_json::json!({}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_schema_and_examples_even_from_a_fence_line_and_with_trailing_commas() {
        let text = "# T\n```json json_schema\n{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},}}\n```\n\n```json{\n\"a\":\"x\"}\n```\n```js\nnot json\n```\n";
        let page = parse("T", text).unwrap();
        assert_eq!(page.schema["properties"]["a"]["type"], "string");
        assert_eq!(page.examples, vec![serde_json::json!({"a": "x"})]);
        assert_eq!(page.repairs.len(), 1);
    }

    #[test]
    fn a_sketch_becomes_a_schema() {
        let text = "```json\n{\"type\":\"string\",\"n\":{\"b\":\"boolean\"},\"l\":[\"string\"]}\n```\n```json\n{\"type\":\"X\"}\n```\n";
        let page = parse("X", text).unwrap();
        assert_eq!(
            page.schema["properties"]["n"]["properties"]["b"]["type"],
            "boolean"
        );
        assert_eq!(page.schema["properties"]["l"]["items"]["type"], "string");
        assert_eq!(page.examples.len(), 1);
    }

    #[test]
    fn several_schemas_document_the_union_of_their_fields() {
        let schema = |field: &str| {
            format!(
                "```json json_schema\n{{\"type\":\"object\",\"properties\":{{\"{field}\":{{\"type\":\"string\"}}}}}}\n```\n"
            )
        };
        let text = format!(
            "{}```json\n{{\"a\":\"x\"}}\n```\n{}",
            schema("a"),
            schema("b")
        );
        let page = parse("M", &text).unwrap();
        let properties = page.schema["properties"].as_object().unwrap();
        assert!(properties.contains_key("a") && properties.contains_key("b"));
        assert_eq!(page.examples.len(), 1);
    }
}
