//! `highlevel_runtime::Validate` for every type of the document, written as plain code from the
//! constraints the document states: required text, `minimum`/`maximum`, number `enum`s and
//! `x-allowed-values`, string enums (open enums accept any value; sending one the document does
//! not list is a violation unless the caller skips `enum_value`), `minItems`/`maxItems`, and
//! nested objects and lists. `pattern`s and string lengths are checked by the types typify
//! generates for them, when a value is made.
//!
//! A schema may name extra checks written by hand (`x-highlevel-rules: "crate::rules::f"`,
//! a `fn(&T, &mut Checker)`): HighLevel's rules stated only in words.

use crate::naming::pascal_case;
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use syn::{Fields, GenericArgument, Item, PathArguments, Type};

/// The extension naming a hand-written check for a schema's type.
pub const RULES_EXTENSION: &str = "x-highlevel-rules";

/// What a field holds, as far as checks are concerned.
enum Shape {
    Text,
    Number,
    OpenEnum,
    /// A type of `types` (a struct, typify's enums and constrained newtypes): checked by its
    /// own `Validate`.
    Nested,
    /// `Option<T>` / `Vec<T>` / `Box<T>`.
    Optional(Box<Shape>),
    List(Box<Shape>),
    /// Anything else (JSON values, maps, booleans): nothing to check.
    Opaque,
}

/// `impl Validate` for every type of the `types` module a request body uses (`roots`, the
/// body types, and every type they contain).
pub fn validate_impls(
    spec: &Value,
    file: &syn::File,
    open_enums: &BTreeSet<String>,
    roots: &[String],
) -> Result<TokenStream, String> {
    let types = crate::ast::module(file, "types").ok_or("progenitor wrote no `types` module")?;
    let schemas: BTreeMap<String, &Value> = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| {
            schemas
                .iter()
                .map(|(name, schema)| (pascal_case(name), schema))
                .collect()
        })
        .unwrap_or_default();
    let reachable = reachable_types(types, roots);
    let mut impls = Vec::new();
    for item in types {
        let (ident, fields) = match item {
            Item::Struct(s) => (&s.ident, Some(&s.fields)),
            Item::Enum(e) => (&e.ident, None),
            _ => continue,
        };
        if !reachable.contains(&ident.to_string()) {
            continue;
        }
        let schema = schemas.get(&ident.to_string()).copied();
        let mut checks = Vec::new();
        if let Some(Fields::Named(named)) = fields {
            for field in &named.named {
                let Some(rust) = &field.ident else { continue };
                let wire = serde_rename(field).unwrap_or_else(|| rust.to_string());
                let wire = wire.trim_start_matches("r#").to_string();
                let property =
                    schema.and_then(|s| s.pointer(&format!("/properties/{}", escape(&wire))));
                let required = schema
                    .and_then(|s| s.get("required"))
                    .and_then(Value::as_array)
                    .is_some_and(|r| r.iter().any(|n| n.as_str() == Some(wire.as_str())));
                let shape = shape_of(&field.ty, open_enums);
                let value = quote!(&self.#rust);
                if let Some(check) = field_check(&wire, value, &shape, property, required) {
                    checks.push(check);
                }
            }
        }
        if let Some(rules) = schema
            .and_then(|s| s.get(RULES_EXTENSION))
            .and_then(Value::as_str)
        {
            let path: syn::Path = syn::parse_str(rules)
                .map_err(|e| format!("{ident}: `{RULES_EXTENSION}` is not a Rust path: {e}"))?;
            checks.push(quote!(#path(self, checker);));
        }
        let checker = if checks.is_empty() {
            quote!(_checker)
        } else {
            quote!(checker)
        };
        impls.push(quote! {
            impl ::highlevel_runtime::Validate for types::#ident {
                fn validate(&self, #checker: &mut ::highlevel_runtime::validation::Checker<'_>) {
                    #(#checks)*
                }
            }
        });
    }
    Ok(quote!(#(#impls)*))
}

/// The types of the `types` module a request body uses: `roots` and every type their fields
/// name, transitively.
pub(crate) fn request_types(file: &syn::File, roots: &[String]) -> BTreeSet<String> {
    reachable_types(crate::ast::module(file, "types").unwrap_or_default(), roots)
}

/// The names of `roots` and of every type of `types` their fields name, transitively.
fn reachable_types(types: &[Item], roots: &[String]) -> BTreeSet<String> {
    use syn::visit::Visit;
    struct Names<'a>(&'a mut Vec<String>);
    impl<'ast> Visit<'ast> for Names<'_> {
        fn visit_path(&mut self, path: &'ast syn::Path) {
            if let Some(last) = path.segments.last() {
                self.0.push(last.ident.to_string());
            }
            syn::visit::visit_path(self, path);
        }
    }
    let items: BTreeMap<String, &Item> = types
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => Some((s.ident.to_string(), item)),
            Item::Enum(e) => Some((e.ident.to_string(), item)),
            _ => None,
        })
        .collect();
    let mut seen = BTreeSet::new();
    let mut queue: Vec<String> = roots.to_vec();
    while let Some(name) = queue.pop() {
        let Some(item) = items.get(&name) else {
            continue;
        };
        if !seen.insert(name) {
            continue;
        }
        let mut names = Vec::new();
        match item {
            Item::Struct(s) => Names(&mut names).visit_fields(&s.fields),
            Item::Enum(e) => {
                for variant in &e.variants {
                    Names(&mut names).visit_fields(&variant.fields);
                }
            }
            _ => {}
        }
        queue.extend(names.into_iter().filter(|n| items.contains_key(n)));
    }
    seen
}

/// JSON pointer escaping of one token.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn serde_rename(field: &syn::Field) -> Option<String> {
    for attr in &field.attrs {
        if !attr.path().is_ident("serde") {
            continue;
        }
        let mut rename = None;
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                rename = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
        if rename.is_some() {
            return rename;
        }
    }
    None
}

fn shape_of(ty: &Type, open_enums: &BTreeSet<String>) -> Shape {
    let Type::Path(path) = ty else {
        return Shape::Opaque;
    };
    let Some(last) = path.path.segments.last() else {
        return Shape::Opaque;
    };
    let name = last.ident.to_string();
    let inner = || match &last.arguments {
        PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
            GenericArgument::Type(t) => Some(shape_of(t, open_enums)),
            _ => None,
        }),
        _ => None,
    };
    let in_module = |module: &str| path.path.segments.iter().any(|s| s.ident == module);
    match name.as_str() {
        "Option" => inner().map_or(Shape::Opaque, |s| Shape::Optional(Box::new(s))),
        "Vec" => inner().map_or(Shape::Opaque, |s| Shape::List(Box::new(s))),
        "Box" => inner().unwrap_or(Shape::Opaque),
        "String" => Shape::Text,
        "bool" | "Value" | "Map" | "HashMap" | "BTreeMap" => Shape::Opaque,
        "f64" | "f32" | "i64" | "i32" | "i16" | "i8" | "u64" | "u32" | "u16" | "u8" | "Number"
        | "NonZeroU64" | "NonZeroU32" | "NonZeroI64" | "NonZeroI32" => Shape::Number,
        _ if in_module("enums") && open_enums.contains(&name) => Shape::OpenEnum,
        _ if path.path.segments.len() == 1 || in_module("types") => Shape::Nested,
        _ => Shape::Opaque,
    }
}

/// The checks of one field, or `None` when there is nothing to check.
fn field_check(
    wire: &str,
    value: TokenStream,
    shape: &Shape,
    schema: Option<&Value>,
    required: bool,
) -> Option<TokenStream> {
    let schema = schema.map(resolve_all_of);
    match shape {
        Shape::Optional(inner) => {
            let check = field_check(wire, quote!(value), inner, schema, false)?;
            Some(quote! {
                if let ::std::option::Option::Some(value) = #value {
                    #check
                }
            })
        }
        Shape::List(inner) => {
            let mut checks = Vec::new();
            let min = schema
                .and_then(|s| s.get("minItems"))
                .and_then(Value::as_u64);
            let max = schema
                .and_then(|s| s.get("maxItems"))
                .and_then(Value::as_u64);
            if min.is_some() || max.is_some() {
                let (min, max) = (option(min), option(max));
                checks.push(quote!(checker.items(#wire, (#value).len(), #min, #max);));
            }
            let items = schema.and_then(|s| s.get("items"));
            if let Some(item_check) = item_check(inner, items) {
                checks.push(quote! {
                    checker.field(#wire, |checker| {
                        for (index, value) in (#value).iter().enumerate() {
                            checker.index(index, |checker| { #item_check });
                        }
                    });
                });
            }
            (!checks.is_empty()).then(|| quote!(#(#checks)*))
        }
        Shape::Nested => Some(quote!(checker.nested(#wire, #value);)),
        Shape::OpenEnum => Some(quote! {
            checker.known(#wire, (#value).is_known(), (#value).as_str(), (#value).known_values());
        }),
        Shape::Text => required.then(|| quote!(checker.required_text(#wire, #value);)),
        Shape::Number => number_check(quote!(#wire), value, schema?),
        Shape::Opaque => None,
    }
}

/// The checks of one item of a list, at the checker's current path.
fn item_check(shape: &Shape, schema: Option<&Value>) -> Option<TokenStream> {
    let schema = schema.map(resolve_all_of);
    match shape {
        Shape::Nested => Some(quote!(::highlevel_runtime::Validate::validate(value, checker);)),
        Shape::OpenEnum => Some(quote! {
            checker.known("", value.is_known(), value.as_str(), value.known_values());
        }),
        Shape::Number => number_check(quote!(""), quote!(value), schema?),
        _ => None,
    }
}

fn number_check(name: TokenStream, value: TokenStream, schema: &Value) -> Option<TokenStream> {
    let mut checks = Vec::new();
    let min = schema.get("minimum").and_then(Value::as_f64);
    let max = schema.get("maximum").and_then(Value::as_f64);
    if min.is_some() || max.is_some() {
        let (min, max) = (option(min), option(max));
        checks.push(quote!(checker.range(#name, ::highlevel_runtime::__private::ToF64::to_f64(#value), #min, #max);));
    }
    let allowed: Vec<f64> = schema
        .get("x-allowed-values")
        .or_else(|| schema.get("enum"))
        .and_then(Value::as_array)
        .map(|values| values.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    if !allowed.is_empty() {
        checks.push(quote!(checker.allowed_number(#name, ::highlevel_runtime::__private::ToF64::to_f64(#value), &[#(#allowed),*]);));
    }
    (!checks.is_empty()).then(|| quote!(#(#checks)*))
}

/// A schema of the form `allOf: [<one schema>]` (how the normalizer attaches a description to a
/// reference) is read as that one schema.
fn resolve_all_of(schema: &Value) -> &Value {
    match schema.get("allOf").and_then(Value::as_array) {
        Some(all) if all.len() == 1 => &all[0],
        _ => schema,
    }
}

fn option<T: quote::ToTokens>(value: Option<T>) -> TokenStream {
    match value {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}
