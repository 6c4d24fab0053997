//! [`IntoOptional`]: what the generated body builders' setters of optional fields accept.

/// A value for an optional field: the value itself, `Some(value)` or `None`, and the natural
/// spellings of it: `&str` for text and for a string enum, any integer or `f32` for an `f64`.
/// So `.slug("intro")`, `.duration(30)` and `.kind("round_robin")` compile.
///
/// ```
/// use highlevel_runtime::IntoOptional;
///
/// fn set<T, V: IntoOptional<T>>(value: V) -> Option<T> {
///     value.into_optional()
/// }
/// assert_eq!(set::<String, _>("intro"), Some("intro".to_string()));
/// assert_eq!(set::<f64, _>(30), Some(30.0));
/// assert_eq!(set::<highlevel_runtime::Number, _>(30), Some(30.into()));
/// assert_eq!(set::<f64, _>(None::<f64>), None);
/// assert_eq!(set::<bool, _>(true), Some(true));
/// ```
pub trait IntoOptional<T> {
    /// The field's value.
    fn into_optional(self) -> Option<T>;
}

impl<T> IntoOptional<T> for T {
    fn into_optional(self) -> Option<T> {
        Some(self)
    }
}

impl<T> IntoOptional<T> for Option<T> {
    fn into_optional(self) -> Option<T> {
        self
    }
}

impl IntoOptional<String> for &str {
    fn into_optional(self) -> Option<String> {
        Some(self.to_string())
    }
}

impl IntoOptional<String> for &String {
    fn into_optional(self) -> Option<String> {
        Some(self.clone())
    }
}

macro_rules! numbers_into {
    ($target:ty: $($from:ty),*) => {
        $(
            impl IntoOptional<$target> for $from {
                fn into_optional(self) -> Option<$target> {
                    Some(<$target>::from(self))
                }
            }
        )*
    };
}

numbers_into!(f64: f32, i8, i16, i32, u8, u16, u32);
numbers_into!(crate::Number: f64, f32, i8, i16, i32, i64, u8, u16, u32, u64);
numbers_into!(i64: i8, i16, i32, u8, u16, u32);
