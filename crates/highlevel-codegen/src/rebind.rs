//! Moves a request made with one progenitor client to another: each of progenitor's operation
//! builders gets `for_call`, which the request types use to send through a client made for the
//! call, whose inner value is the call's context.

use syn::Item;

/// Adds `for_call(self, client) -> Self` (with the new client's lifetime) to every struct of
/// progenitor's top-level `builder` module that holds a `client`.
pub fn for_call(file: &mut syn::File) {
    for item in &mut file.items {
        let Item::Mod(module) = item else { continue };
        if module.ident != "builder" {
            continue;
        }
        let Some((_, items)) = module.content.as_mut() else {
            continue;
        };
        let mut added = Vec::new();
        for item in items.iter() {
            let Item::Struct(builder) = item else {
                continue;
            };
            if !builder
                .fields
                .iter()
                .any(|f| f.ident.as_ref().is_some_and(|i| i == "client"))
            {
                continue;
            }
            let name = &builder.ident;
            // In place: the builder is covariant in its client's lifetime.
            added.push(syn::parse_quote! {
                impl<'a> #name<'a> {
                    /// The same request, sent through `client`.
                    pub fn for_call<'b>(self, client: &'b super::Client) -> #name<'b>
                    where
                        'a: 'b,
                    {
                        let mut this: #name<'b> = self;
                        this.client = client;
                        this
                    }
                }
            });
        }
        items.extend(added);
    }
}
