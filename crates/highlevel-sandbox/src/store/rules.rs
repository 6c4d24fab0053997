//! A client crate's own rules for one kind of kept resource: what the document cannot say in
//! its schemas (a field unique within a location, values the server fills in).

use crate::document::Document;
use serde_json::Value;

/// When [`ResourceRules::complete`]'s function is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// A new resource, before it is kept (its id is set already).
    Create,
    /// A kept resource once an update's fields were merged into it.
    Update,
}

/// Completes a resource before it is kept: server defaults, made-up ids of its parts.
pub type Complete = fn(&'static Document, &mut Value, Change);

/// The rules of one collection of kept resources, given to
/// [`SandboxBuilder::rules`](crate::SandboxBuilder::rules).
///
/// ```
/// use highlevel_sandbox::{Change, ResourceRules};
///
/// // A slug is unique within a location; new things are active unless said otherwise.
/// let rules = ResourceRules::new()
///     .unique("slug", "locationId")
///     .complete(|_document, thing, change| {
///         if change == Change::Create && thing.get("isActive").is_none() {
///             thing["isActive"] = true.into();
///         }
///     });
/// # let _ = rules;
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ResourceRules {
    pub(crate) unique: Vec<(String, String)>,
    pub(crate) complete: Option<Complete>,
}

impl ResourceRules {
    /// No rules beyond the document's.
    pub fn new() -> ResourceRules {
        ResourceRules::default()
    }

    /// No two resources with the same value of `within` (such as `locationId`) may have the
    /// same text in `field`: a create or update that would is answered 409 Conflict naming the
    /// resource that has it. A resource without `field` clashes with none.
    pub fn unique(mut self, field: impl Into<String>, within: impl Into<String>) -> Self {
        self.unique.push((field.into(), within.into()));
        self
    }

    /// Calls `complete` on each resource created, and on each one updated, before it is kept.
    pub fn complete(mut self, complete: Complete) -> Self {
        self.complete = Some(complete);
        self
    }

    /// The first of `others` that `resource` clashes with on a unique field, and why: such as
    /// `slug "demo" is already used in this location`.
    pub(crate) fn clash<'a>(
        &self,
        resource: &Value,
        others: &[&'a Value],
    ) -> Option<(String, &'a Value)> {
        self.unique.iter().find_map(|(field, within)| {
            let value = resource.get(field)?.as_str()?;
            let scope = resource.get(within);
            let other = others.iter().copied().find(|other| {
                other.get(field).and_then(Value::as_str) == Some(value)
                    && other.get(within) == scope
            })?;
            let place = within.strip_suffix("Id").unwrap_or(within);
            Some((
                format!("{field} {value:?} is already used in this {place}"),
                other,
            ))
        })
    }
}
