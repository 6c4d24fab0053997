//! The `open_enum!` macro behind every string enum of the generated API.
//!
//! HighLevel adds enum values without notice. A closed Rust enum would turn one new value in a
//! response into a decode error for the whole answer, so build.rs declares each enum of a
//! document through this macro: the known values become variants, anything else is kept as
//! `Unknown(String)` and serialized back unchanged.

/// Declares an open string enum: `Name { Variant = "wire value", ... }`. Used by generated
/// code; not part of the stable API.
#[doc(hidden)]
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $($variant:ident = $value:literal),* $(,)? }
    ) => {
        $(#[$meta])*
        ///
        /// Converts from and to its wire text with `From<&str>`, [`FromStr`](std::str::FromStr),
        /// `as_str()` and `Display`; a text this version does not know becomes `Unknown`.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $(
                #[doc = concat!("`", $value, "`")]
                $variant,
            )*
            /// A value this version of the crate does not know, kept as sent.
            Unknown(::std::string::String),
        }

        impl $name {
            /// The values HighLevel's document lists, in its order.
            pub const KNOWN: &'static [&'static str] = &[$($value),*];

            /// The text sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(other) => other.as_str(),
                }
            }

            /// The values HighLevel's document lists (the same as `KNOWN`).
            pub fn known_values(&self) -> &'static [&'static str] {
                Self::KNOWN
            }

            /// Whether the value is one HighLevel's document lists.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                match Self::from(value.as_str()) {
                    Self::Unknown(_) => Self::Unknown(value),
                    known => known,
                }
            }
        }

        impl $crate::IntoOptional<$name> for &str {
            fn into_optional(self) -> ::std::option::Option<$name> {
                ::std::option::Option::Some($name::from(self))
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;
                impl $crate::__private::serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " string"))
                    }
                    fn visit_str<E: $crate::__private::serde::de::Error>(self, value: &str) -> ::std::result::Result<$name, E> {
                        Ok($name::from(value))
                    }
                    fn visit_string<E: $crate::__private::serde::de::Error>(self, value: ::std::string::String) -> ::std::result::Result<$name, E> {
                        Ok($name::from(value))
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }
    };
}
