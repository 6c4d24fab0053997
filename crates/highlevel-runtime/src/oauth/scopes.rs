//! [`Scopes`]: the OAuth scopes an app asks for, computed from the operations it calls.

use crate::operation::Operation;
use std::collections::BTreeSet;
use std::fmt;

/// A set of OAuth scopes, written space-separated (as the authorization URL wants them).
///
/// Every generated operation lists the scopes HighLevel's document gives it, so an app can ask
/// for exactly what the operations it calls need: [`Scopes::of`] a few operations, or of a
/// whole generated crate's `operations::ALL`.
///
/// ```
/// use highlevel_runtime::{Operation, oauth::Scopes};
///
/// const GET: Operation = Operation::new(
///     "get-contact", "GET", "/contacts/{contactId}", "2021-04-15", &["contacts.readonly"],
/// );
/// const CREATE: Operation = Operation::new(
///     "create-contact", "POST", "/contacts/", "2021-04-15", &["contacts.write"],
/// );
/// let scopes = Scopes::of([&GET, &CREATE, &GET]);
/// assert_eq!(scopes.to_string(), "contacts.readonly contacts.write");
/// assert!(scopes.contains("contacts.write"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scopes(BTreeSet<String>);

impl Scopes {
    /// These scopes.
    pub fn new<S: Into<String>>(scopes: impl IntoIterator<Item = S>) -> Scopes {
        Scopes(scopes.into_iter().map(Into::into).collect())
    }

    /// Every scope the given operations list.
    pub fn of<'a>(operations: impl IntoIterator<Item = &'a Operation>) -> Scopes {
        Scopes::new(
            operations
                .into_iter()
                .flat_map(|op| op.scopes.iter().copied()),
        )
    }

    /// Adds `other`'s scopes.
    pub fn with(mut self, other: Scopes) -> Scopes {
        self.0.extend(other.0);
        self
    }

    /// Whether `scope` is in the set.
    pub fn contains(&self, scope: &str) -> bool {
        self.0.contains(scope)
    }

    /// The scopes, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, scope) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(scope)?;
        }
        Ok(())
    }
}
