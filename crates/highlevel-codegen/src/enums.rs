//! One open enum per string enum of the document (see `highlevel_runtime::open_enum!`).

use crate::naming::pascal_case;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// A named string enum of the document.
pub struct OpenEnum {
    /// Its name in the document (`type`, `CalendarType`).
    pub schema: String,
    /// Its Rust name, as typify names the type (`Type`, `CalendarType`).
    pub name: String,
    pub values: Vec<String>,
}

impl OpenEnum {
    pub fn tokens(&self) -> TokenStream {
        let name = format_ident!("{}", self.name);
        let doc = format!(
            "Values of `{}` in HighLevel's document, plus `Unknown` for any other.",
            self.schema
        );
        let variants = self.values.iter().map(|value| {
            let ident = format_ident!("{}", pascal_case(value));
            quote!(#ident = #value)
        });
        quote! {
            ::highlevel_runtime::open_enum! {
                #[doc = #doc]
                #name { #(#variants),* }
            }
        }
    }
}

/// Every component schema that is a plain string enum.
pub fn string_enums(spec: &Value) -> Result<Vec<OpenEnum>, String> {
    let mut out = Vec::new();
    let Some(schemas) = spec
        .pointer("/components/schemas")
        .and_then(|s| s.as_object())
    else {
        return Ok(out);
    };
    for (name, schema) in schemas {
        if schema.get("type").and_then(|t| t.as_str()) != Some("string") {
            continue;
        }
        let Some(values) = schema.get("enum").and_then(|v| v.as_array()) else {
            continue;
        };
        let values = values
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("enum `{name}` has a value that is not a string: {v}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut seen = std::collections::BTreeSet::new();
        for v in &values {
            let variant = pascal_case(v);
            if variant.is_empty() || variant == "Unknown" || !seen.insert(variant.clone()) {
                return Err(format!(
                    "enum `{name}`: value `{v}` gives the Rust variant `{variant}`, which is empty, reserved or taken"
                ));
            }
        }
        out.push(OpenEnum {
            schema: name.clone(),
            name: pascal_case(name),
            values,
        });
    }
    Ok(out)
}
