//! [`Number`]: the document's `type: number`, sent the way a person writes it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A JSON number of the API (an `f64`), serialized without a fraction when it is whole:
/// `30`, not `30.0`, which is what HighLevel's examples send. Generated types use it for every
/// `type: number`; it converts from and to `f64` and from the integer types, so
/// `.slot_duration(30)` and `.slot_duration(7.5)` both work.
///
/// ```
/// use highlevel_runtime::Number;
///
/// assert_eq!(serde_json::to_string(&Number::from(30)).unwrap(), "30");
/// assert_eq!(serde_json::to_string(&Number::from(7.5)).unwrap(), "7.5");
/// let n: Number = serde_json::from_str("45.0").unwrap();
/// assert_eq!(n, 45.0);
/// assert_eq!(f64::from(n) / 2.0, 22.5);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct Number(f64);

impl Number {
    /// The number as an `f64`.
    pub fn get(self) -> f64 {
        self.0
    }
}

/// Whole numbers up to 2^53 are exact in an `f64`; beyond that, leave the `f64` as it is.
const EXACT: f64 = 9_007_199_254_740_992.0;

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let value = self.0;
        if value.fract() == 0.0 && value.abs() <= EXACT {
            serializer.serialize_i64(value as i64)
        } else {
            serializer.serialize_f64(value)
        }
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        f64::deserialize(deserializer).map(Number)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.fract() == 0.0 && self.0.abs() <= EXACT {
            write!(f, "{}", self.0 as i64)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

impl std::str::FromStr for Number {
    type Err = std::num::ParseFloatError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.parse().map(Number)
    }
}

impl PartialEq<f64> for Number {
    fn eq(&self, other: &f64) -> bool {
        self.0 == *other
    }
}

impl PartialOrd<f64> for Number {
    fn partial_cmp(&self, other: &f64) -> Option<std::cmp::Ordering> {
        self.0.partial_cmp(other)
    }
}

impl From<Number> for f64 {
    fn from(n: Number) -> f64 {
        n.0
    }
}

macro_rules! number_from {
    ($($from:ty),*) => {
        $(
            impl From<$from> for Number {
                fn from(value: $from) -> Number {
                    Number(f64::from(value))
                }
            }
        )*
    };
}

number_from!(f64, f32, i8, i16, i32, u8, u16, u32);

impl From<i64> for Number {
    /// Exact up to 2^53 in magnitude, as every JSON number of HighLevel's is.
    fn from(value: i64) -> Number {
        Number(value as f64)
    }
}

impl From<u64> for Number {
    /// Exact up to 2^53, as every JSON number of HighLevel's is.
    fn from(value: u64) -> Number {
        Number(value as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_have_no_fraction_on_the_wire() {
        for (n, text) in [
            (Number::from(0), "0"),
            (Number::from(-3), "-3"),
            (Number::from(0.5), "0.5"),
            (Number::from(1e300), "1e+300"),
            (Number::from(f64::NAN), "null"),
        ] {
            assert_eq!(serde_json::to_string(&n).unwrap(), text);
        }
        assert_eq!(Number::from(12).to_string(), "12");
    }
}
