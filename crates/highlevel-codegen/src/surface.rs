//! The public surface of a generated client: a `Client` with one method per operation, and one
//! request type per operation whose `send()` moves progenitor's request to a progenitor client
//! made for the call (its inner value the call's context) and runs it through the runtime.
//!
//! The request types wrap progenitor's builders. Their setters are copied from progenitor's own
//! (same names, generics and bounds), so whatever progenitor accepts for a parameter, the
//! request type accepts too; path parameters, required query parameters and the body become
//! arguments of the `Client` method instead.

use crate::naming::parameter_name;
use crate::operations::Operation;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{ImplItem, ImplItemFn, Item, ReturnType, Type};

/// What progenitor generated for one operation.
struct Builder<'a> {
    name: syn::Ident,
    setters: Vec<&'a ImplItemFn>,
    /// The request body type, when the operation has one.
    body: Option<Type>,
    /// Whether the body is raw bytes (`reqwest::Body`), such as a multipart upload, rather
    /// than a type of the document.
    raw_body: bool,
    /// The success type inside `ResponseValue<...>`.
    success: Type,
}

/// The `api` module: `Client`, its methods, and `requests`; and each operation's body type.
pub fn api_module(
    file: &syn::File,
    operations: &[Operation],
    options: &crate::Options,
) -> Result<(TokenStream, Vec<Option<Type>>), String> {
    // A crate with a `sandbox` feature compiles the example caller only with it; a crate made
    // by `new-client`, whose own test needs it, always.
    let examples_cfg = if options.examples_always {
        quote!()
    } else {
        quote!(#[cfg(feature = "sandbox")])
    };
    let builder_mod = crate::ast::module(file, "builder")
        .ok_or("progenitor wrote no `builder` module (is the interface style Builder?)")?;
    let mut methods = Vec::new();
    let mut requests = Vec::new();
    let mut bodies = Vec::new();
    let mut examples = Vec::new();
    let mut arms = Vec::new();
    for op in operations {
        let builder = find_builder(file, builder_mod, op)?;
        let (method, request) = operation_surface(op, &builder)?;
        methods.push(method);
        requests.push(request);
        // A raw body has no document type to check or decode.
        bodies.push(builder.body.clone().filter(|_| !builder.raw_body));
        let (arm, example) = example_call(op, &builder)?;
        arms.push(arm);
        examples.push(example);
    }
    let api = quote! {
        /// The client and one request type per operation.
        pub mod api {
            use super::{builder, types};
            use ::highlevel_runtime::__private::progenitor_client::ClientInfo as _;

            /// A client of the API: one method per operation of the document. Cheap to clone
            /// (one `Arc`); share it freely.
            #[derive(Clone)]
            pub struct Client {
                inner: ::std::sync::Arc<super::Client>,
            }

            impl ::highlevel_runtime::GeneratedClient for Client {
                const USER_AGENT: &'static str =
                    concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

                fn from_runtime(runtime: ::highlevel_runtime::Runtime) -> Self {
                    let base_url = runtime.base_url().to_string();
                    let http = runtime.http().clone();
                    // Makes the requests; each is moved to a client of its own call to be sent.
                    let idle = ::highlevel_runtime::__private::Call::idle(runtime);
                    Client {
                        inner: ::std::sync::Arc::new(super::Client::new_with_client(
                            &base_url,
                            http,
                            ::std::sync::Arc::new(idle),
                        )),
                    }
                }
            }

            impl ::std::fmt::Debug for Client {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.debug_struct("Client")
                        .field("runtime", self.runtime())
                        .finish()
                }
            }

            impl Client {
                /// Starts configuring a client.
                pub fn builder() -> ::highlevel_runtime::ClientBuilder<Client> {
                    ::highlevel_runtime::ClientBuilder::new()
                }

                /// A client configured from `HIGHLEVEL_TOKEN` and, when set,
                /// `HIGHLEVEL_BASE_URL`.
                pub fn from_env() -> ::std::result::Result<Client, ::highlevel_runtime::BuildError> {
                    ::highlevel_runtime::EnvSettings::from_env()
                        .client_builder::<Client>()?
                        .build()
                }

                /// The API server this client talks to.
                pub fn base_url(&self) -> &str {
                    self.runtime().base_url()
                }

                /// The runtime every call goes through (configuration, tokens, retries).
                pub fn runtime(&self) -> &::highlevel_runtime::Runtime {
                    self.inner.inner().runtime()
                }

                /// The same client, acting for the sub-account `location_id` in calls that
                /// name no sub-account or company themselves: with OAuth tokens, they send
                /// that sub-account's token. Connections and rate budgets stay shared.
                pub fn for_location(&self, location_id: impl Into<String>) -> Client {
                    <Client as ::highlevel_runtime::GeneratedClient>::from_runtime(
                        self.runtime()
                            .for_owner(::highlevel_runtime::oauth::Owner::location(location_id)),
                    )
                }

                /// The same client, acting for the agency `company_id` in calls that name no
                /// sub-account or company themselves (see `for_location`).
                pub fn for_company(&self, company_id: impl Into<String>) -> Client {
                    <Client as ::highlevel_runtime::GeneratedClient>::from_runtime(
                        self.runtime()
                            .for_owner(::highlevel_runtime::oauth::Owner::company(company_id)),
                    )
                }

                #(#methods)*
            }

            /// One request type per operation, returned by the `Client` method of the same
            /// name; nothing is sent until `send().await`.
            pub mod requests {
                use super::super::{builder, types};
                use ::highlevel_runtime::__private::progenitor_client::ClientInfo as _;

                #(#requests)*
            }

            /// Calls any operation with argument values given as JSON: how a generated test
            /// calls every operation against a sandbox (feature `sandbox`). Not part of the
            /// stable API.
            #[doc(hidden)]
            #examples_cfg
            pub mod __examples {
                use super::super::types;
                use super::Client;
                use ::highlevel_runtime::{Error, Example};

                /// Calls the operation `id` with `example`'s values (optional query
                /// parameters only when given); `None` for an unknown id.
                pub async fn call(
                    client: &Client,
                    id: &str,
                    example: &Example,
                ) -> ::std::option::Option<::std::result::Result<(), Error>> {
                    ::std::option::Option::Some(match id {
                        #(#arms)*
                        _ => return ::std::option::Option::None,
                    })
                }

                #(#examples)*
            }
        }
    };
    Ok((api, bodies))
}

fn find_builder<'a>(
    file: &syn::File,
    builder_mod: &'a [Item],
    op: &Operation,
) -> Result<Builder<'a>, String> {
    let method = op.method_name();
    let name = file
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Impl(i) if i.trait_.is_none() && is_type(&i.self_ty, "Client") => Some(&i.items),
            _ => None,
        })
        .flatten()
        .find_map(|item| match item {
            ImplItem::Fn(f) if f.sig.ident == method => last_segment(&f.sig.output),
            _ => None,
        })
        .ok_or_else(|| format!("{}: progenitor wrote no method `{method}`", op.id))?;
    let methods: Vec<&ImplItemFn> = builder_mod
        .iter()
        .filter_map(|item| match item {
            Item::Impl(i) if i.trait_.is_none() && is_type(&i.self_ty, &name.to_string()) => {
                Some(&i.items)
            }
            _ => None,
        })
        .flatten()
        .filter_map(|item| match item {
            ImplItem::Fn(f) => Some(f),
            _ => None,
        })
        .collect();
    let send = methods
        .iter()
        .find(|f| f.sig.ident == "send")
        .ok_or_else(|| format!("{}: progenitor's builder has no `send`", op.id))?;
    let success = response_value_type(&send.sig.output)
        .ok_or_else(|| format!("{}: cannot read the success type of `send`", op.id))?;
    let body_setter = methods.iter().find(|f| f.sig.ident == "body");
    let raw_body = body_setter.is_some_and(|f| is_raw_body_setter(f));
    let body = match body_setter {
        None => None,
        Some(_) if raw_body => Some(syn::parse_quote!(::reqwest::Body)),
        Some(f) => {
            Some(setter_target(f).ok_or_else(|| format!("{}: cannot read the body type", op.id))?)
        }
    };
    let setters = methods
        .into_iter()
        .filter(|f| {
            let name = f.sig.ident.to_string();
            !matches!(name.as_str(), "new" | "send" | "body" | "for_call")
                && !name.ends_with("_map")
        })
        .collect();
    Ok(Builder {
        name,
        setters,
        body,
        raw_body,
        success,
    })
}

/// Whether progenitor's `body` setter takes raw bytes (`B: TryInto<reqwest::Body>`), as it
/// writes for an `application/octet-stream` body.
fn is_raw_body_setter(setter: &ImplItemFn) -> bool {
    let generics = &setter.sig.generics;
    let bounds = &generics.where_clause;
    quote!(#generics #bounds)
        .to_string()
        .replace(' ', "")
        .contains("reqwest::Body")
}

fn operation_surface(
    op: &Operation,
    builder: &Builder<'_>,
) -> Result<(TokenStream, TokenStream), String> {
    let method = format_ident!("{}", op.method_name());
    let request = &builder.name;
    let constant = op.const_name();
    let success = &builder.success;

    // Path parameters become arguments of the client method, in template order.
    let mut arguments = Vec::new();
    let mut assignments = Vec::new();
    let mut path_setters = Vec::new();
    for name in &op.path_parameters {
        let (setter_name, target) = setter_of(builder, &op.id, name, "path")?;
        let ident = format_ident!("{}", setter_name);
        arguments.push(quote! {
            #ident: impl ::std::convert::TryInto<#target, Error: ::std::fmt::Display>
        });
        assignments.push(quote!(.#ident(#ident)));
        path_setters.push(setter_name);
    }
    // Required query parameters follow, in the document's order: the compiler, not a check
    // at run time, sees that each is given. The request keeps a private setter for each.
    let mut required_calls = Vec::new();
    let mut required_setters = Vec::new();
    for name in &op.required_query_parameters {
        let (setter_name, target) = setter_of(builder, &op.id, name, "query")?;
        let ident = format_ident!("{}", setter_name);
        arguments.push(match crate::ast::vec_item(&target) {
            Some(item) => quote! {
                #ident: impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<#item>>
            },
            None => quote! {
                #ident: impl ::std::convert::TryInto<#target, Error: ::std::fmt::Display>
            },
        });
        required_calls.push(quote!(.#ident(#ident)));
        required_setters.push(setter_name);
    }
    let forwarded = builder
        .setters
        .iter()
        .filter(|f| !path_setters.contains(&f.sig.ident.to_string()))
        .map(|f| {
            let range = op
                .parameter_ranges
                .iter()
                .find(|(name, _, _)| f.sig.ident == parameter_name(name));
            let required = required_setters.contains(&f.sig.ident.to_string());
            let doc = op
                .query_parameters
                .iter()
                .find(|name| f.sig.ident == parameter_name(name))
                .and_then(|name| op.parameter_doc(name));
            forward_setter(f, range, required, doc)
        })
        .collect::<Vec<_>>();

    let (body_field, body_init, body_send) = match &builder.body {
        // Raw bytes: nothing of the document to check; a `Multipart` carries its own
        // content type, which the runtime sets when it sends it.
        Some(_) if builder.raw_body => {
            arguments.push(quote!(body: impl ::std::convert::Into<::reqwest::Body>));
            (
                quote!(pub(super) body: ::reqwest::Body,),
                quote!(body: body.into(),),
                quote!(let builder = ::std::boxed::Box::new(self.builder.body(self.body));),
            )
        }
        Some(body) => {
            arguments.push(quote! {
                body: impl ::std::convert::TryInto<#body, Error: ::std::fmt::Display>
            });
            // A body that does not convert (a builder missing a required field) is kept as the
            // violation it is, and reported when the request is sent.
            (
                quote!(pub(super) body: ::std::result::Result<#body, ::highlevel_runtime::ValidationError>,),
                quote! {
                    body: body
                        .try_into()
                        .map_err(|e| ::highlevel_runtime::__private::conversion_error(&e.to_string())),
                },
                quote! {
                    let body = self.body.map_err(::highlevel_runtime::Error::Validation)?;
                    let validation = self.validation.as_ref().unwrap_or_else(|| runtime.validation());
                    ::highlevel_runtime::validation::check(&body, validation)?;
                    // Boxed: the builder holds the body and is kilobytes large; the future of
                    // `send` holds it until the call starts, and would copy it at every move.
                    let builder = ::std::boxed::Box::new(self.builder.body(body));
                },
            )
        }
        None => (quote!(), quote!(), quote!(let builder = self.builder;)),
    };

    let docs = method_docs(op);
    let request_doc = format!(
        "A `{}` request ([`Client::{}`](super::Client::{})).",
        op.id,
        op.method_name(),
        op.method_name()
    );
    let send_doc = format!(
        "Checks the request, then sends `{} {}`; retried only as the client's retry policy allows for a {}.",
        op.method,
        op.path,
        if op.method == "POST" || op.method == "PATCH" {
            "request that is not idempotent"
        } else {
            "request that is idempotent"
        }
    );
    let prepared = if builder.body.is_some() {
        quote!(::std::boxed::Box<builder::#request<'a>>)
    } else {
        quote!(builder::#request<'a>)
    };
    let send_request = if builder.body.is_some() {
        // Boxed once: the generated future holds the body and is kilobytes large; every future
        // around it would otherwise copy it whenever it moves.
        quote!(let request = ::std::boxed::Box::pin((*builder).for_call(&client).send());)
    } else {
        quote!(let request = builder.for_call(&client).send();)
    };
    let client_method = quote! {
        #(#[doc = #docs])*
        pub fn #method(&self, #(#arguments),*) -> requests::#request<'_> {
            requests::#request {
                client: &self.inner,
                builder: self.inner.#method() #(#assignments)*,
                #body_init
                validation: ::std::option::Option::None,
                parameters: ::highlevel_runtime::__private::Parameters::default(),
            }
            #(#required_calls)*
        }
    };
    let request_type = quote! {
        #[doc = #request_doc]
        #[must_use = "nothing is sent until `.send().await`"]
        #[derive(Debug)]
        pub struct #request<'a> {
            pub(super) client: &'a super::super::Client,
            pub(super) builder: builder::#request<'a>,
            #body_field
            pub(super) validation: ::std::option::Option<::highlevel_runtime::Validation>,
            pub(super) parameters: ::highlevel_runtime::__private::Parameters,
        }

        impl<'a> #request<'a> {
            #(#forwarded)*

            /// Checks this request against other rules than the client's (see
            /// [`Validation`](::highlevel_runtime::Validation)).
            pub fn validation(mut self, validation: ::highlevel_runtime::Validation) -> Self {
                self.validation = ::std::option::Option::Some(validation);
                self
            }

            #[doc = #send_doc]
            ///
            /// The request is checked and built when `send` is called; nothing goes out until
            /// the future is awaited.
            pub fn send(
                self,
            ) -> impl ::std::future::Future<
                Output = ::std::result::Result<::highlevel_runtime::Response<#success>, ::highlevel_runtime::Error>,
            > + 'a {
                let runtime = self.client.inner().runtime();
                let prepared = self.prepare(runtime);
                async move {
                    let builder = prepared?;
                    // The call's own progenitor client: its hooks get the call's context.
                    let client = super::super::Client::new_with_client(
                        runtime.base_url(),
                        runtime.http().clone(),
                        ::std::sync::Arc::new(::highlevel_runtime::__private::Call::start(
                            runtime,
                            &super::super::operations::#constant,
                        )),
                    );
                    #send_request
                    ::highlevel_runtime::__private::run(client.inner(), request).await
                }
            }

            /// Checks the request and gives progenitor's builder, ready to send.
            fn prepare(
                self,
                runtime: &::highlevel_runtime::Runtime,
            ) -> ::std::result::Result<#prepared, ::highlevel_runtime::Error> {
                self.parameters
                    .check(self.validation.as_ref().unwrap_or_else(|| runtime.validation()))?;
                #body_send
                ::std::result::Result::Ok(builder)
            }
        }
    };
    Ok((client_method, request_type))
}

/// The match arm and the function that call `op` from an `Example`.
fn example_call(
    op: &Operation,
    builder: &Builder<'_>,
) -> Result<(TokenStream, TokenStream), String> {
    let id = &op.id;
    let method = format_ident!("{}", op.method_name());
    let function = format_ident!("call_{}", op.method_name());
    let typed = |name: &str| -> Result<(syn::Ident, Type), String> {
        let setter_name = parameter_name(name);
        let setter = builder
            .setters
            .iter()
            .find(|f| f.sig.ident == setter_name)
            .ok_or_else(|| format!("{id}: progenitor's builder has no setter for `{name}`"))?;
        let target = setter_target(setter)
            .ok_or_else(|| format!("{id}: cannot read the type of `{setter_name}`"))?;
        Ok((format_ident!("{}", setter_name), target))
    };
    let mut arguments = Vec::new();
    for name in op
        .path_parameters
        .iter()
        .chain(&op.required_query_parameters)
    {
        let (_, ty) = typed(name)?;
        arguments.push(quote!(example.value::<#ty>(#name)?));
    }
    match &builder.body {
        // The document says nothing a raw body must hold: an empty one.
        Some(_) if builder.raw_body => {
            arguments.push(quote!(::reqwest::Body::from(::std::vec::Vec::<u8>::new())));
        }
        Some(body) => arguments.push(quote!(example.body_as::<#body>()?)),
        None => {}
    }
    let mut optional = Vec::new();
    for name in &op.query_parameters {
        if op.required_query_parameters.contains(name) {
            continue;
        }
        let (setter, ty) = typed(name)?;
        optional.push(quote! {
            if example.has(#name) {
                request = request.#setter(example.value::<#ty>(#name)?);
            }
        });
    }
    let arm = quote!(#id => ::std::boxed::Box::pin(#function(client, example)).await,);
    let function = quote! {
        async fn #function(client: &Client, example: &Example) -> ::std::result::Result<(), Error> {
            #[allow(unused_mut)]
            let mut request = client.#method(#(#arguments),*);
            #(#optional)*
            request.send().await.map(|_| ())
        }
    };
    Ok((arm, function))
}

/// The doc lines of a client method.
fn method_docs(op: &Operation) -> Vec<String> {
    let mut docs = Vec::new();
    if let Some(summary) = &op.summary {
        docs.push(format!(" {}.", summary.trim().trim_end_matches('.')));
        docs.push(String::new());
    }
    docs.push(format!(
        " `{} {}` (operationId `{}`).",
        op.method, op.path, op.id
    ));
    if let Some(description) = &op.description
        && op.summary.as_deref() != Some(description.as_str())
    {
        docs.push(String::new());
        docs.extend(
            crate::setters::plain(description)
                .lines()
                .map(|l| format!(" {}", l.trim_start())),
        );
    }
    let arguments: Vec<String> = op
        .path_parameters
        .iter()
        .chain(&op.required_query_parameters)
        .map(|name| {
            let doc = op.parameter_doc(name).unwrap_or_default();
            format!(" - `{}`:{doc}", parameter_name(name))
        })
        .collect();
    if !arguments.is_empty() {
        docs.push(String::new());
        docs.push(" Arguments:".to_string());
        docs.push(String::new());
        docs.extend(arguments);
    }
    docs.push(String::new());
    let scopes = if op.scopes.is_empty() {
        "none listed".to_string()
    } else {
        op.scopes
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    docs.push(format!(" Scopes: {scopes}. `Version: {}`.", op.version));
    if op.deprecated {
        docs.push(String::new());
        docs.push(" Deprecated by HighLevel.".to_string());
    }
    docs
}

/// A parameter's stated range, checked when the request is sent.
type Range = (String, Option<f64>, Option<f64>);

/// A copy of progenitor's setter that forwards to it.
fn forward_setter(
    setter: &ImplItemFn,
    range: Option<&Range>,
    required: bool,
    doc: Option<&str>,
) -> TokenStream {
    let sig = &setter.sig;
    // A required parameter's setter serves the client method, whose argument it is.
    let vis = if required {
        quote!(pub(super))
    } else {
        let vis = &setter.vis;
        quote!(#vis)
    };
    let name = &sig.ident;
    // progenitor documents no parameter setter; the document's words on the parameter do.
    let mut docs = setter
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .map(|a| quote!(#a))
        .collect::<Vec<_>>();
    if docs.is_empty()
        && let Some(doc) = doc
    {
        docs.push(quote!(#[doc = #doc]));
    }
    let args: Vec<&syn::Ident> = sig
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            syn::FnArg::Typed(t) => match &*t.pat {
                syn::Pat::Ident(p) => Some(&p.ident),
                _ => None,
            },
            _ => None,
        })
        .collect();
    // A list takes any iterator of things that convert into its items (`["a", "b"]`).
    if let (Some(target), [value]) = (setter_target(setter), args.as_slice())
        && let Some(item) = crate::ast::vec_item(&target)
    {
        return quote! {
            #(#docs)*
            #vis fn #name(
                mut self,
                #value: impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<#item>>,
            ) -> Self {
                    let list: ::std::vec::Vec<#item> = #value
                    .into_iter()
                    .map(::std::convert::Into::into)
                    .collect();
                self.builder = self.builder.#name(list);
                self
            }
        };
    }
    if let (Some((wire, min, max)), Some(target), [value]) =
        (range, setter_target(setter), args.as_slice())
    {
        // Converted here so that the number can be checked against the stated range when
        // the request is sent (with the request's `Validation`).
        let (min, max) = (option_f64(*min), option_f64(*max));
        return quote! {
            #(#docs)*
            #vis #sig {
                    match ::std::convert::TryInto::<#target>::try_into(#value) {
                    ::std::result::Result::Ok(value) => {
                        let number = ::highlevel_runtime::__private::ToF64::to_f64(&value);
                        self.parameters.number(#wire, number, #min, #max);
                        self.builder = self.builder.#name(value);
                    }
                    ::std::result::Result::Err(_) => self
                        .parameters
                        .invalid(#wire, "cannot be converted to the parameter's type"),
                }
                self
            }
        };
    }
    quote! {
        #(#docs)*
        #vis #sig {
            self.builder = self.builder.#name(#(#args),*);
            self
        }
    }
}

fn option_f64(value: Option<f64>) -> TokenStream {
    match value {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}

fn is_type(ty: &Type, name: &str) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name))
}

/// `builder::CreateCalendar<'_>` -> `CreateCalendar`.
fn last_segment(output: &ReturnType) -> Option<syn::Ident> {
    match output {
        ReturnType::Type(_, ty) => match &**ty {
            Type::Path(p) => p.path.segments.last().map(|s| s.ident.clone()),
            _ => None,
        },
        ReturnType::Default => None,
    }
}

/// `Result<ResponseValue<types::X>, Error<...>>` -> `types::X`.
fn response_value_type(output: &ReturnType) -> Option<Type> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let result = first_generic(ty)?;
    first_generic(&result)
}

fn first_generic(ty: &Type) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    crate::ast::first_type_argument(&p.path.segments.last()?.arguments).cloned()
}

/// The name of the builder's setter for the `place` (`path` or `query`) parameter `name` of
/// operation `id`, and the type it takes.
fn setter_of(
    builder: &Builder<'_>,
    id: &str,
    name: &str,
    place: &str,
) -> Result<(String, Type), String> {
    let setter_name = parameter_name(name);
    let setter = builder
        .setters
        .iter()
        .find(|f| f.sig.ident == setter_name)
        .ok_or_else(|| {
            format!(
                "{id}: progenitor's builder has no setter `{setter_name}` for the {place} parameter `{name}`"
            )
        })?;
    let target = setter_target(setter)
        .ok_or_else(|| format!("{id}: cannot read the type of `{setter_name}`"))?;
    Ok((setter_name, target))
}

/// The `T` of a progenitor setter's `V: TryInto<T>` bound.
pub(crate) fn setter_target(setter: &ImplItemFn) -> Option<Type> {
    crate::ast::try_into_target(setter, "V")
}
