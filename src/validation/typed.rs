//! The spec rules over a typed body without building JSON first: a serde `Serializer` that
//! walks the compiled schema alongside the fields the body would send. It sees exactly what
//! would go on the wire (skipped fields are absent, open enums are their text) and allocates
//! nothing for a valid body, which keeps validation cheap on every call.

use super::Report;
use super::schema::{Compiled, Kind, Node, Path, compiled, missing};
use serde::Serialize;
use serde::ser::{self, Impossible};
use std::fmt;

pub(super) fn check<T: Serialize + ?Sized>(body: &T, report: &mut Report) {
    let schema = compiled();
    let walker = Walker {
        schema,
        node: Some(schema.root),
        path: &Path::Root,
        report,
    };
    // The walker never fails; an error could only come from a hand-written Serialize impl.
    let _ = body.serialize(walker);
}

/// Whether a serialized value counts as given for `required` (null and blank strings do not).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Presence {
    Given,
    Absent,
}

/// The walker's error type; it is only produced by `ser::Error::custom`.
#[derive(Debug)]
pub(super) struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the body could not be serialized")
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Stop
    }
}

struct Walker<'s, 'p, 'r, 'v> {
    schema: &'s Compiled,
    node: Option<usize>,
    path: &'p Path<'p>,
    report: &'r mut Report<'v>,
}

impl<'s> Walker<'s, '_, '_, '_> {
    fn node(&self) -> Option<&'s Node> {
        self.node.map(|i| &self.schema.nodes[i])
    }

    /// The node, when the value's JSON type is one it accepts; reports a mismatch otherwise.
    fn expect(&mut self, actual: Kind, integral: bool) -> Option<&'s Node> {
        let node = self.node()?;
        let expected = node.kind?;
        let fits = expected == actual
            || (expected == Kind::Integer && actual == Kind::Number && integral)
            || (expected == Kind::Number && actual == Kind::Integer);
        if fits {
            Some(node)
        } else {
            node.wrong_type(expected, self.path, self.report);
            None
        }
    }

    fn number(mut self, n: f64) -> Result<Presence, Stop> {
        let integral =
            self.node().and_then(|node| node.kind) == Some(Kind::Integer) && n.fract() == 0.0;
        if let Some(node) = self.expect(Kind::Number, integral) {
            node.check_number(n, self.path, self.report);
        }
        Ok(Presence::Given)
    }
}

impl<'s, 'p, 'r, 'v> ser::Serializer for Walker<'s, 'p, 'r, 'v> {
    type Ok = Presence;
    type Error = Stop;
    type SerializeSeq = Items<'s, 'p, 'r, 'v>;
    type SerializeTuple = Items<'s, 'p, 'r, 'v>;
    type SerializeTupleStruct = Items<'s, 'p, 'r, 'v>;
    type SerializeTupleVariant = Impossible<Presence, Stop>;
    type SerializeMap = Unchecked;
    type SerializeStruct = Fields<'s, 'p, 'r, 'v>;
    type SerializeStructVariant = Impossible<Presence, Stop>;

    fn serialize_bool(mut self, _: bool) -> Result<Presence, Stop> {
        self.expect(Kind::Boolean, false);
        Ok(Presence::Given)
    }
    fn serialize_i8(self, v: i8) -> Result<Presence, Stop> {
        self.number(f64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<Presence, Stop> {
        self.number(f64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<Presence, Stop> {
        self.number(f64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<Presence, Stop> {
        self.number(v as f64)
    }
    fn serialize_u8(self, v: u8) -> Result<Presence, Stop> {
        self.number(f64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<Presence, Stop> {
        self.number(f64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<Presence, Stop> {
        self.number(f64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<Presence, Stop> {
        self.number(v as f64)
    }
    fn serialize_f32(self, v: f32) -> Result<Presence, Stop> {
        self.number(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<Presence, Stop> {
        self.number(v)
    }
    fn serialize_char(self, v: char) -> Result<Presence, Stop> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(mut self, v: &str) -> Result<Presence, Stop> {
        if let Some(node) = self.expect(Kind::String, false) {
            node.check_string(v, self.path, self.report);
        }
        // Most strings start with a visible ASCII character; only the rest need a full trim.
        let visible_start = v.as_bytes().first().is_some_and(u8::is_ascii_graphic);
        Ok(if visible_start || !v.trim().is_empty() {
            Presence::Given
        } else {
            Presence::Absent
        })
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Presence, Stop> {
        Ok(Presence::Given)
    }
    fn serialize_none(self) -> Result<Presence, Stop> {
        Ok(Presence::Absent)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Presence, Stop> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Presence, Stop> {
        Ok(Presence::Absent)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Presence, Stop> {
        Ok(Presence::Absent)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Presence, Stop> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Presence, Stop> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Presence, Stop> {
        Ok(Presence::Given)
    }
    fn serialize_seq(mut self, _: Option<usize>) -> Result<Items<'s, 'p, 'r, 'v>, Stop> {
        let items = self.expect(Kind::Array, false).and_then(|node| node.items);
        Ok(Items {
            schema: self.schema,
            items,
            path: self.path,
            report: self.report,
            index: 0,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Items<'s, 'p, 'r, 'v>, Stop> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<Items<'s, 'p, 'r, 'v>, Stop> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Stop> {
        Err(Stop)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Unchecked, Stop> {
        Ok(Unchecked)
    }
    fn serialize_struct(
        mut self,
        _: &'static str,
        _: usize,
    ) -> Result<Fields<'s, 'p, 'r, 'v>, Stop> {
        let node = self.expect(Kind::Object, false);
        Ok(Fields {
            schema: self.schema,
            node,
            path: self.path,
            report: self.report,
            given: 0,
            cursor: 0,
        })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Stop> {
        Err(Stop)
    }
}

/// The items of an array.
pub(super) struct Items<'s, 'p, 'r, 'v> {
    schema: &'s Compiled,
    items: Option<usize>,
    path: &'p Path<'p>,
    report: &'r mut Report<'v>,
    index: usize,
}

impl Items<'_, '_, '_, '_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        let path = Path::Index(self.path, self.index);
        self.index += 1;
        let walker = Walker {
            schema: self.schema,
            node: self.items,
            path: &path,
            report: &mut *self.report,
        };
        value.serialize(walker).map(|_| ())
    }
}

impl ser::SerializeSeq for Items<'_, '_, '_, '_> {
    type Ok = Presence;
    type Error = Stop;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        self.item(value)
    }
    fn end(self) -> Result<Presence, Stop> {
        Ok(Presence::Given)
    }
}

impl ser::SerializeTuple for Items<'_, '_, '_, '_> {
    type Ok = Presence;
    type Error = Stop;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        self.item(value)
    }
    fn end(self) -> Result<Presence, Stop> {
        Ok(Presence::Given)
    }
}

impl ser::SerializeTupleStruct for Items<'_, '_, '_, '_> {
    type Ok = Presence;
    type Error = Stop;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        self.item(value)
    }
    fn end(self) -> Result<Presence, Stop> {
        Ok(Presence::Given)
    }
}

/// The fields of an object, with which required ones were given.
pub(super) struct Fields<'s, 'p, 'r, 'v> {
    schema: &'s Compiled,
    node: Option<&'s Node>,
    path: &'p Path<'p>,
    report: &'r mut Report<'v>,
    /// Bit `i` set when `node.required[i]` was given.
    given: u64,
    /// Where the next property is expected among the node's properties.
    cursor: usize,
}

impl ser::SerializeStruct for Fields<'_, '_, '_, '_> {
    type Ok = Presence;
    type Error = Stop;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        let found = self
            .node
            .and_then(|n| n.properties.get_next(key, &mut self.cursor));
        let path = Path::Key(self.path, key);
        let walker = Walker {
            schema: self.schema,
            node: found.as_ref().map(|f| f.node),
            path: &path,
            report: &mut *self.report,
        };
        let presence = value.serialize(walker)?;
        if presence == Presence::Given
            && let Some(bit) = found.and_then(|f| f.required_bit)
        {
            self.given |= 1u64 << bit;
        }
        Ok(())
    }

    fn end(self) -> Result<Presence, Stop> {
        if let Some(node) = self.node {
            for (i, name) in node.required.iter().enumerate().take(64) {
                if self.given & (1u64 << i) == 0 {
                    missing(name, self.path, self.report);
                }
            }
        }
        Ok(Presence::Given)
    }
}

/// Maps are not part of this API's request schema; their content is not checked.
pub(super) struct Unchecked;

impl ser::SerializeMap for Unchecked {
    type Ok = Presence;
    type Error = Stop;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, _: &T) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, _: &T) -> Result<(), Stop> {
        Ok(())
    }
    fn end(self) -> Result<Presence, Stop> {
        Ok(Presence::Given)
    }
}
