//! Generates a HighLevel API client on `highlevel-runtime` from a normalized OpenAPI document.
//!
//! A generated crate's `build.rs` is a few lines:
//!
//! ```no_run
//! // build.rs
//! highlevel_codegen::build_script("openapi/contacts.json");
//! ```
//!
//! and its `src/lib.rs` includes `$OUT_DIR/codegen.rs` as a module named `generated`. What is
//! generated:
//!
//! - progenitor's client, builder interface, whose inner value is the context of a call
//!   (`highlevel_runtime::__private::Call`), and hooks that hand it to the runtime's;
//! - one open enum per string enum (`enums`), which a value HighLevel adds later cannot break;
//! - one `highlevel_runtime::Operation` per operation (`operations`): id, method, path,
//!   `Version` and scopes;
//! - `highlevel_runtime::Validate` for every type, from the document's constraints;
//! - `api::Client`, with one method per operation named after its operationId, and
//!   `api::requests`, one request type per operation.

mod ast;
mod enums;
// With `pretty` (the xtask's snapshot) prettyplease formats the code and this goes unused.
#[cfg_attr(feature = "pretty", allow(dead_code))]
mod lines;
mod naming;
mod operations;
mod rebind;
mod setters;
mod surface;
mod validate;

pub use naming::{pascal_case, snake_case};
pub use operations::VERSION_EXTENSION;
pub use validate::RULES_EXTENSION;

use quote::quote;
use std::collections::BTreeSet;
use std::path::Path;

/// Where the generated module lives in the crate that includes it.
pub const GENERATED_MODULE: &str = "crate::generated";

/// What a generated crate wants beyond the document.
///
/// ```
/// let options = highlevel_codegen::Options::default().examples_always(true);
/// assert!(options.examples_always);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Compiles `api::__examples` (the caller a generated test calls every operation through)
    /// always, rather than only with the crate's `sandbox` feature.
    pub examples_always: bool,
}

impl Options {
    /// Sets [`examples_always`](Options::examples_always).
    pub fn examples_always(mut self, always: bool) -> Options {
        self.examples_always = always;
        self
    }
}

/// Runs as a build script: generates the client from the document at `spec_path` (relative
/// to the package root) into `$OUT_DIR/codegen.rs`, or stops the build with a message that
/// says what is wrong.
pub fn build_script(spec_path: &str) {
    build_script_with(spec_path, &Options::default());
}

/// [`build_script`] with [`Options`].
pub fn build_script_with(spec_path: &str, options: &Options) {
    println!("cargo:rerun-if-changed={spec_path}");
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let code = std::fs::read_to_string(Path::new(&manifest_dir).join(spec_path))
        .map_err(|e| format!("cannot read {spec_path}: {e}"))
        .and_then(|text| {
            for line in attention_lines(&text) {
                println!("cargo:warning={line}");
            }
            generate_with(&text, spec_path, options).map_err(|e| format!("{spec_path}: {e}"))
        });
    let message = match code {
        Ok(code) => {
            let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
            let out = Path::new(&out_dir).join("codegen.rs");
            match std::fs::write(&out, code) {
                Ok(()) => return,
                Err(e) => format!("cannot write {}: {e}", out.display()),
            }
        }
        Err(message) => message,
    };
    eprintln!("error: cannot generate the client.\n  {message}");
    eprintln!(
        "  The document is produced by `cargo xtask spec normalize`; `cargo xtask spec check` says whether it is stale."
    );
    std::process::exit(1);
}

/// What a maintainer should know of the generated client: one line per operation whose answer
/// the document does not describe, which `send()` hands back as `serde_json::Value`.
///
/// ```
/// let document = r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
///     "paths": {"/search": {"post": {"operationId": "search",
///         "responses": {"200": {"description": "ok",
///             "content": {"application/json": {"schema": {"description": "any"}}}}}}}}}"#;
/// let lines = highlevel_codegen::attention_lines(document);
/// assert_eq!(lines.len(), 1);
/// assert!(lines[0].contains("search (POST /search)"), "{}", lines[0]);
/// ```
pub fn attention_lines(spec_text: &str) -> Vec<String> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(spec_text) else {
        return Vec::new();
    };
    operations::operations(&json)
        .unwrap_or_default()
        .iter()
        .filter(|op| op.undescribed_answer)
        .map(|op| {
            format!(
                "attention: {} ({} {}): the document describes no answer; `send()` gives `serde_json::Value`",
                op.id, op.method, op.path
            )
        })
        .collect()
}

/// Generates the formatted Rust source of the client from the normalized document's text.
/// `source` names the document in the file's header.
pub fn generate(spec_text: &str, source: &str) -> Result<String, String> {
    generate_with(spec_text, source, &Options::default())
}

/// [`generate`] with [`Options`].
pub fn generate_with(spec_text: &str, source: &str, options: &Options) -> Result<String, String> {
    let json: serde_json::Value =
        serde_json::from_str(spec_text).map_err(|e| format!("not valid JSON: {e}"))?;
    let spec: openapiv3::OpenAPI = serde_json::from_value(json.clone())
        .map_err(|e| format!("not a valid OpenAPI 3.0 document: {e}"))?;
    let enums = enums::string_enums(&json)?;
    let operations = operations::operations(&json)?;

    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        // Each call's hooks get its context: the inner value of a client made for the call.
        .with_inner_type(quote!(
            ::std::sync::Arc<::highlevel_runtime::__private::Call>
        ))
        .with_replacement(
            "ApiErrorBody",
            "::highlevel_runtime::ApiErrorBody",
            std::iter::empty(),
        )
        .with_replacement(
            "ApiErrorMessage",
            "::highlevel_runtime::ApiErrorMessage",
            std::iter::empty(),
        );
    for e in &enums {
        settings.with_replacement(
            &e.schema,
            format!("{GENERATED_MODULE}::enums::{}", e.name),
            [progenitor::TypeImpl::Display, progenitor::TypeImpl::FromStr].into_iter(),
        );
    }
    let tokens = run_progenitor(&settings, &spec)?;
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("progenitor's code does not parse: {e}"))?;
    setters::natural_setters(&mut file);
    setters::builder_names(&mut file);
    setters::numbers(&mut file);
    setters::plain_docs(&mut file);
    rebind::for_call(&mut file);
    let open_enums: BTreeSet<String> = enums.iter().map(|e| e.name.clone()).collect();
    let (api, bodies) = surface::api_module(&file, &operations, options)?;
    // Every name in the body types (`Vec<types::X>` names `X`); the validator keeps those that
    // are types of the document.
    let roots: Vec<String> = bodies
        .iter()
        .flatten()
        .flat_map(|ty| {
            quote!(#ty)
                .to_string()
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let validate = validate::validate_impls(&json, &file, &open_enums, &roots)?;
    let request_types = validate::request_types(&file, &roots);
    setters::prune_builders(&mut file, &request_types);
    let body_checks = operations.iter().zip(&bodies).filter_map(|(op, body)| {
        let id = &op.id;
        body.as_ref().map(|body| {
            quote! {
                #id => ::std::option::Option::Some(
                    ::highlevel_runtime::validation::check_json::<#body>(body, validation).map(|_| ()),
                ),
            }
        })
    });
    let body_types = body_types(&file);
    let metadata = operations.iter().map(operations::Operation::metadata);
    let all = operations.iter().map(operations::Operation::const_name);
    let enum_tokens = enums.iter().map(enums::OpenEnum::tokens);
    let all = quote! {
        #file

        impl ClientHooks<::std::sync::Arc<::highlevel_runtime::__private::Call>> for Client {
            async fn pre<E>(
                &self,
                request: &mut ::reqwest::Request,
                _info: &OperationInfo,
            ) -> ::std::result::Result<(), Error<E>> {
                ::highlevel_runtime::__private::pre(self.inner(), request)
                    .await
                    .map_err(Error::Custom)
            }

            async fn exec(
                &self,
                request: ::reqwest::Request,
                _info: &OperationInfo,
            ) -> ::reqwest::Result<::reqwest::Response> {
                ::highlevel_runtime::__private::exec(self.inner(), self.client(), request).await
            }
        }

        #(
            impl ::std::convert::From<&#body_types> for #body_types {
                fn from(value: &#body_types) -> Self {
                    value.clone()
                }
            }
        )*

        #validate

        /// What the runtime knows of each operation of the document.
        pub mod operations {
            use super::types;

            #(#metadata)*

            /// Every operation, in the document's order.
            pub const ALL: &[&::highlevel_runtime::Operation] = &[#(&#all),*];

            /// Checks a raw JSON request body of the operation `id` exactly as the client
            /// checks a typed one before sending it (decoding, then every rule `validation`
            /// selects). `None` when the operation takes no body or is unknown.
            pub fn check_body(
                id: &str,
                body: &[u8],
                validation: &::highlevel_runtime::Validation,
            ) -> ::std::option::Option<::std::result::Result<(), ::highlevel_runtime::ValidationError>> {
                match id {
                    #(#body_checks)*
                    _ => ::std::option::Option::None,
                }
            }
        }

        /// Open enums: every string enum of the document, with an `Unknown` variant that keeps
        /// values this version of the crate does not know.
        pub mod enums {
            #(#enum_tokens)*
        }

        #api
    };
    Ok(format!(
        "// Generated from {source} by highlevel-codegen (progenitor). Do not edit.\n\n{}",
        render(all)?
    ))
}

/// The code as people read it (feature `pretty`, for the checked-in snapshot, which `cargo
/// xtask spec check` keeps current), or broken into short lines ([`lines`]), which a build
/// makes sooner: a build script then neither waits for prettyplease to compile nor spends time
/// parsing and formatting 20,000 lines again, and a compile error still quotes one statement.
fn render(code: proc_macro2::TokenStream) -> Result<String, String> {
    #[cfg(feature = "pretty")]
    {
        let file: syn::File =
            syn::parse2(code).map_err(|e| format!("generated code does not parse: {e}"))?;
        Ok(prettyplease::unparse(&file))
    }
    #[cfg(not(feature = "pretty"))]
    {
        Ok(lines::render(code))
    }
}

/// Runs progenitor, turning a panic into an error that says what it was.
fn run_progenitor(
    settings: &progenitor::GenerationSettings,
    spec: &openapiv3::OpenAPI,
) -> Result<proc_macro2::TokenStream, String> {
    match progenitor_once(settings, spec) {
        Ok(tokens) => Ok(tokens),
        Err(whole) => Err(culprits(settings, spec).unwrap_or(whole)),
    }
}

/// One run of progenitor, its panics caught.
fn progenitor_once(
    settings: &progenitor::GenerationSettings,
    spec: &openapiv3::OpenAPI,
) -> Result<proc_macro2::TokenStream, String> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        progenitor::Generator::new(settings).generate_tokens(spec)
    }));
    std::panic::set_hook(previous);
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(format!("progenitor rejected the document: {e}")),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "no message".into());
            Err(format!("progenitor panicked: {message}"))
        }
    }
}

/// When progenitor fails on the document, which operations it fails on, each with its cause
/// and the normalizer step that handles the cause when there is one (`None` when each
/// operation goes through alone).
fn culprits(
    settings: &progenitor::GenerationSettings,
    spec: &openapiv3::OpenAPI,
) -> Option<String> {
    let mut failures = Vec::new();
    for (path, item) in &spec.paths.paths {
        let openapiv3::ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, operation) in item.iter() {
            let mut alone = item.clone();
            for (other, slot) in [
                ("get", &mut alone.get),
                ("put", &mut alone.put),
                ("post", &mut alone.post),
                ("delete", &mut alone.delete),
                ("options", &mut alone.options),
                ("head", &mut alone.head),
                ("patch", &mut alone.patch),
                ("trace", &mut alone.trace),
            ] {
                if other != method {
                    *slot = None;
                }
            }
            let mut single = spec.clone();
            single.paths.paths = [(path.clone(), openapiv3::ReferenceOr::Item(alone))]
                .into_iter()
                .collect();
            if let Err(cause) = progenitor_once(settings, &single) {
                let id = operation.operation_id.as_deref().unwrap_or(path);
                let hint = remedy(&cause)
                    .map(|step| format!(" ({step})"))
                    .unwrap_or_default();
                failures.push(format!("{id} ({method} {path}): {cause}{hint}"));
            }
        }
    }
    (!failures.is_empty()).then(|| {
        format!(
            "progenitor cannot generate {} operation(s):\n  {}",
            failures.len(),
            failures.join("\n  ")
        )
    })
}

/// The normalizer step that handles a known progenitor failure.
fn remedy(cause: &str) -> Option<&'static str> {
    const REMEDIES: &[(&str, &str)] = &[
        (
            "missing path name mapping",
            "normalizer steps declare_path_parameters and repair_parameters declare each path parameter once",
        ),
        (
            "parameter_data.required",
            "normalizer step repair_parameters makes path parameters required",
        ),
        (
            "response_types.len() <= 1",
            "normalizer step shared_error_schema gives every error one body",
        ),
        (
            "multipart/form-data",
            "normalizer step raw_multipart_bodies makes the body raw",
        ),
        (
            "No schema specified for request body",
            "normalizer step raw_multipart_bodies makes the body raw",
        ),
    ];
    REMEDIES
        .iter()
        .find(|(symptom, _)| cause.contains(symptom))
        .map(|(_, step)| *step)
}

/// The request body types of the builders (`types::X`), each once.
fn body_types(file: &syn::File) -> Vec<syn::Type> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for item in ast::module(file, "builder").unwrap_or_default() {
        let syn::Item::Impl(imp) = item else { continue };
        for item in &imp.items {
            let syn::ImplItem::Fn(f) = item else { continue };
            if f.sig.ident != "body" {
                continue;
            }
            if let Some(ty) = surface::setter_target(f) {
                let is_types_path = matches!(&ty, syn::Type::Path(p) if p.path.segments.len() == 2 && p.path.segments[0].ident == "types");
                let key = quote!(#ty).to_string();
                if is_types_path && seen.insert(key) {
                    out.push(ty);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::generate;

    #[test]
    fn a_broken_document_is_an_error_that_says_what_is_wrong() {
        let not_json = generate("{", "t.json").unwrap_err();
        assert!(not_json.contains("not valid JSON"), "{not_json}");
        let not_openapi = generate(r#"{"openapi": "3.0.0"}"#, "t.json").unwrap_err();
        assert!(not_openapi.contains("not a valid OpenAPI"), "{not_openapi}");
        let bad_enum = generate(
            r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {},
                "components": {"schemas": {"E": {"type": "string", "enum": ["a-b", "a_b"]}}}}"#,
            "t.json",
        )
        .unwrap_err();
        assert!(bad_enum.contains("enum `E`"), "{bad_enum}");
    }

    #[test]
    fn a_progenitor_panic_is_an_error_naming_it() {
        // A path parameter the operation does not declare makes progenitor panic.
        let undeclared = generate(
            r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
                "paths": {"/notes/{noteId}": {"get": {"operationId": "get-note",
                    "responses": {"200": {"description": "ok"}}}}}}"#,
            "t.json",
        )
        .unwrap_err();
        assert!(undeclared.contains("progenitor"), "{undeclared}");
        assert!(
            undeclared.contains("get-note (get /notes/{noteId})"),
            "names the operation: {undeclared}"
        );
        assert!(
            undeclared.contains("declare_path_parameters"),
            "{undeclared}"
        );
    }
}
