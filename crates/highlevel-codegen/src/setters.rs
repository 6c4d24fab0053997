//! Setters a Rust user can call with what they naturally have.
//!
//! typify's body builders take `T: TryInto<Option<X>>` for an optional field, which `"text"`,
//! `30` and `"round_robin"` do not satisfy (`Option<String>: From<&str>` does not exist). This
//! pass rewrites those setters to take `T: highlevel_runtime::IntoOptional<X>` instead, which
//! accepts `X`, `Some(X)`, `None`, `&str` for text and string enums, and integers for numbers.

use syn::visit_mut::VisitMut;
use syn::{GenericArgument, ImplItemFn, Item, PathArguments, Type, WherePredicate};

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
        let Some(inner) = optional_target(setter) else {
            return;
        };
        let field = setter.sig.ident.clone();
        setter.sig.generics.where_clause =
            Some(syn::parse_quote!(where T: ::highlevel_runtime::IntoOptional<#inner>));
        setter.block = syn::parse_quote!({
            self.#field = ::std::result::Result::Ok(value.into_optional());
            self
        });
    }
}

/// The `X` of a setter bounded by `T: TryInto<Option<X>>`.
fn optional_target(setter: &ImplItemFn) -> Option<Type> {
    let where_clause = setter.sig.generics.where_clause.as_ref()?;
    where_clause.predicates.iter().find_map(|p| {
        let WherePredicate::Type(t) = p else {
            return None;
        };
        if !matches!(&t.bounded_ty, Type::Path(path) if path.path.is_ident("T")) {
            return None;
        }
        t.bounds.iter().find_map(|b| {
            let syn::TypeParamBound::Trait(tr) = b else {
                return None;
            };
            let last = tr.path.segments.last()?;
            if last.ident != "TryInto" {
                return None;
            }
            let option = first_type_argument(&last.arguments)?;
            let Type::Path(option) = option else {
                return None;
            };
            let segment = option.path.segments.last()?;
            if segment.ident != "Option" {
                return None;
            }
            first_type_argument(&segment.arguments).cloned()
        })
    })
}

fn first_type_argument(arguments: &PathArguments) -> Option<&Type> {
    let PathArguments::AngleBracketed(args) = arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}
