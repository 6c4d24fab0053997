//! Reading progenitor's output: its modules and its setters' bounds.

use syn::{GenericArgument, ImplItemFn, Item, PathArguments, Type, WherePredicate};

/// The items of the top-level module `name` of `file` (`types`, `builder`).
pub fn module<'a>(file: &'a syn::File, name: &str) -> Option<&'a [Item]> {
    file.items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| items.as_slice()),
        _ => None,
    })
}

/// The `X` of a setter's `<param>: TryInto<X>` bound (`V` in progenitor's setters, `T` in
/// typify's).
pub fn try_into_target(setter: &ImplItemFn, param: &str) -> Option<Type> {
    let where_clause = setter.sig.generics.where_clause.as_ref()?;
    where_clause.predicates.iter().find_map(|p| {
        let WherePredicate::Type(t) = p else {
            return None;
        };
        if !matches!(&t.bounded_ty, Type::Path(path) if path.path.is_ident(param)) {
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
            first_type_argument(&last.arguments).cloned()
        })
    })
}

/// The first type in `<…>`.
pub fn first_type_argument(arguments: &PathArguments) -> Option<&Type> {
    let PathArguments::AngleBracketed(args) = arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

/// The `X` of `Vec<X>` (`::std::vec::Vec<X>` alike).
pub fn vec_item(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Vec" {
        return None;
    }
    first_type_argument(&last.arguments)
}
