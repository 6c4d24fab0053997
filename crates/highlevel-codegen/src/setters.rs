//! Setters a Rust user can call with what they naturally have.
//!
//! typify's body builders take `T: TryInto<Option<X>>` for an optional field, which `"text"`,
//! `30` and `"round_robin"` do not satisfy (`Option<String>: From<&str>` does not exist). This
//! pass rewrites those setters to take `T: highlevel_runtime::IntoOptional<X>` instead, which
//! accepts `X`, `Some(X)`, `None`, `&str` for text and string enums, and integers for numbers.
//! A list field, required or optional, takes any iterator of things that convert into its
//! items (`.user_ids(["a", "b"])`, `vec!["a"]`, a `Vec<String>`), as `Vec<String>` is not
//! `From<Vec<&str>>`.

use syn::visit_mut::VisitMut;
use syn::{ImplItemFn, Item, Type};

/// Rewrites every optional-field setter of `types::builder` in `file`.
pub fn natural_setters(file: &mut syn::File) {
    for item in &mut file.items {
        let Item::Mod(types) = item else { continue };
        if types.ident != "types" {
            continue;
        }
        for item in types.content.iter_mut().flat_map(|(_, items)| items) {
            if let Item::Mod(builder) = item
                && builder.ident == "builder"
            {
                Rewriter.visit_item_mod_mut(builder);
            }
        }
    }
}

struct Rewriter;

impl VisitMut for Rewriter {
    fn visit_impl_item_fn_mut(&mut self, setter: &mut ImplItemFn) {
        let field = setter.sig.ident.clone();
        if let Some(inner) = optional_target(setter) {
            if let Some(item) = crate::ast::vec_item(&inner) {
                list_setter(
                    setter,
                    item,
                    quote::quote!(::std::option::Option::Some(list)),
                );
                return;
            }
            setter.sig.generics.where_clause =
                Some(syn::parse_quote!(where T: ::highlevel_runtime::IntoOptional<#inner>));
            setter.block = syn::parse_quote!({
                self.#field = ::std::result::Result::Ok(value.into_optional());
                self
            });
        } else if let Some(target) = crate::ast::try_into_target(setter, "T")
            && let Some(item) = crate::ast::vec_item(&target)
        {
            list_setter(setter, item, quote::quote!(list));
        }
    }
}

/// Makes a typify setter of a list field take `T: IntoIterator<Item: Into<X>>`; `wrap` makes
/// the field's value of the collected `list`.
fn list_setter(setter: &mut ImplItemFn, item: &Type, wrap: proc_macro2::TokenStream) {
    let field = setter.sig.ident.clone();
    setter.sig.generics.where_clause = Some(syn::parse_quote! {
        where
            T: ::std::iter::IntoIterator,
            T::Item: ::std::convert::Into<#item>
    });
    setter.block = syn::parse_quote!({
        let list: ::std::vec::Vec<#item> = value
            .into_iter()
            .map(::std::convert::Into::into)
            .collect();
        self.#field = ::std::result::Result::Ok(#wrap);
        self
    });
}

/// The `X` of a setter bounded by `T: TryInto<Option<X>>`.
fn optional_target(setter: &ImplItemFn) -> Option<Type> {
    let Type::Path(option) = crate::ast::try_into_target(setter, "T")? else {
        return None;
    };
    let segment = option.path.segments.last()?;
    if segment.ident != "Option" {
        return None;
    }
    crate::ast::first_type_argument(&segment.arguments).cloned()
}

/// Gives typify's body builders names of their own: `types::builder::CalendarCreateDto`
/// becomes `types::builder::CalendarCreateDtoBuilder`, so an error message never says
/// "expected `CalendarCreateDto`, found a different `CalendarCreateDto`".
pub fn builder_names(file: &mut syn::File) {
    let Some(types) = file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == "types" => Some(m),
        _ => None,
    }) else {
        return;
    };
    let mut names = std::collections::BTreeSet::new();
    for item in types.content.iter().flat_map(|(_, items)| items) {
        if let Item::Mod(builder) = item
            && builder.ident == "builder"
        {
            for item in builder.content.iter().flat_map(|(_, items)| items) {
                if let Item::Struct(s) = item {
                    names.insert(s.ident.to_string());
                }
            }
        }
    }
    let mut renamer = Renamer {
        names,
        in_types: false,
        in_builder: false,
    };
    for item in &mut file.items {
        renamer.visit_item_mut(item);
    }
}

struct Renamer {
    names: std::collections::BTreeSet<String>,
    /// Inside `types`, where a builder is `builder::X`.
    in_types: bool,
    /// Inside `types::builder`, where a builder is named by its bare name.
    in_builder: bool,
}

impl Renamer {
    fn renamed(&self, ident: &syn::Ident) -> Option<syn::Ident> {
        self.names
            .contains(&ident.to_string())
            .then(|| syn::Ident::new(&format!("{ident}Builder"), ident.span()))
    }
}

impl VisitMut for Renamer {
    fn visit_item_mod_mut(&mut self, module: &mut syn::ItemMod) {
        let (types, builder) = (self.in_types, self.in_builder);
        if module.ident == "types" && !self.in_types {
            self.in_types = true;
        } else if module.ident == "builder" && self.in_types {
            self.in_builder = true;
        }
        syn::visit_mut::visit_item_mod_mut(self, module);
        (self.in_types, self.in_builder) = (types, builder);
    }

    fn visit_item_struct_mut(&mut self, item: &mut syn::ItemStruct) {
        if self.in_builder
            && let Some(new) = self.renamed(&item.ident)
        {
            item.ident = new;
        }
        syn::visit_mut::visit_item_struct_mut(self, item);
    }

    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let n = segments.len();
        // `types::builder::X` anywhere, `builder::X` inside `types`, a bare `X` inside
        // `types::builder`; never progenitor's operation builders (`builder::CreateCalendar`
        // outside `types`) nor `super::X` (the body types themselves).
        let names_a_builder =
            (n >= 3 && segments[n - 3] == "types" && segments[n - 2] == "builder")
                || (n == 2 && self.in_types && !self.in_builder && segments[0] == "builder")
                || (n == 1 && self.in_builder);
        if names_a_builder
            && let Some(last) = path.segments.last_mut()
            && let Some(new) = self.renamed(&last.ident)
        {
            last.ident = new;
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
}

/// Every `f64` of progenitor's code (the document's `type: number`) becomes
/// `highlevel_runtime::Number`, which sends a whole number as `30` rather than `30.0`.
pub fn numbers(file: &mut syn::File) {
    struct Numbers;
    impl VisitMut for Numbers {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            if let Type::Path(p) = ty
                && p.qself.is_none()
                && p.path.is_ident("f64")
            {
                *ty = syn::parse_quote!(::highlevel_runtime::Number);
                return;
            }
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }
    Numbers.visit_file_mut(file);
}

/// Descriptions come from HighLevel's document, where an indented line is just an indented
/// line; in rustdoc it would start a code block that `cargo test` compiles. Lines lose their
/// indentation, and a fence without a language is marked `text`. So is progenitor's ```` ```ignore ````
/// example on each method of its inner client (which is private; `api::Client` documents the
/// calls): `cargo test` would list every one as an ignored test.
pub fn plain_docs(file: &mut syn::File) {
    struct Docs;
    impl VisitMut for Docs {
        fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
            if !attr.path().is_ident("doc") {
                return;
            }
            let syn::Meta::NameValue(pair) = &mut attr.meta else {
                return;
            };
            let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) = &pair.value
            else {
                return;
            };
            let plain = plain(&text.value());
            pair.value = syn::parse_quote!(#plain);
        }
    }
    Docs.visit_file_mut(file);
}

pub(crate) fn plain(text: &str) -> String {
    let mut out = Vec::new();
    let mut in_fence = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(language) = trimmed.strip_prefix("```") {
            let opening = !in_fence;
            in_fence = !in_fence;
            if opening && matches!(language.trim(), "" | "ignore") {
                out.push(format!("{}```text", &line[..line.len() - trimmed.len()]));
                continue;
            }
            out.push(line.to_string());
        } else if in_fence {
            out.push(line.to_string());
        } else {
            // Keep one leading space: prettyplease writes `///` followed by the text.
            let keep = if line.starts_with(' ') { " " } else { "" };
            out.push(format!("{keep}{trimmed}"));
        }
    }
    out.join("\n")
}

/// Keeps typify's builders only for the types a request body uses (`keep`): a builder is how a
/// caller makes a body, and the ~100 answer-only types would otherwise add thousands of lines
/// to compile. Answer types keep their public fields.
pub fn prune_builders(file: &mut syn::File, keep: &std::collections::BTreeSet<String>) {
    let Some((_, items)) = file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
        _ => None,
    }) else {
        return;
    };
    let builder_of = |name: &str| name.strip_suffix("Builder").map(str::to_string);
    let mut dropped = std::collections::BTreeSet::new();
    for item in items.iter() {
        if let Item::Mod(builder) = item
            && builder.ident == "builder"
        {
            for item in builder.content.iter().flat_map(|(_, items)| items) {
                if let Item::Struct(s) = item
                    && let Some(ty) = builder_of(&s.ident.to_string())
                    && !keep.contains(&ty)
                {
                    dropped.insert(s.ident.to_string());
                }
            }
        }
    }
    // An item goes when it names a builder that goes (its struct, its impls, and the
    // `impl X { pub fn builder() }` of its type).
    let names_dropped = |tokens: String| {
        tokens
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .any(|word| dropped.contains(word))
    };
    for item in items.iter_mut() {
        if let Item::Mod(builder) = item
            && builder.ident == "builder"
            && let Some((_, inner)) = builder.content.as_mut()
        {
            inner.retain(|item| !names_dropped(quote::quote!(#item).to_string()));
        }
    }
    items.retain(|item| match item {
        Item::Impl(imp) => !names_dropped(quote::quote!(#imp).to_string()),
        _ => true,
    });
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn no_doc_example_becomes_a_test_cargo_ignores() {
        let progenitor = "Sends a `GET` request\n\n```ignore\nlet response = client.get_x()\n    .send()\n    .await;\n```";
        let text = plain(progenitor);
        assert!(!text.contains("```ignore"), "{text}");
        assert!(text.contains("```text\nlet response"), "{text}");
        assert_eq!(
            plain("    indented\n```\nfree\n```"),
            " indented\n```text\nfree\n```",
            "one leading space kept, for prettyplease"
        );
    }
}
