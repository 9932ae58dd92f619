//! Fact fields as plain JSON values, and the migration from serde's tagged form.
//!
//! A fact's `fields` column holds a JSON object of its field values as any tool reads them:
//! numbers, strings, booleans, `null`, arrays, and `{"from": .., "to": ..}` for an interval
//! of dates. An integer is written without a fraction and a float always with one (or an
//! exponent), so the two stay apart; a date is a string, told from text by the kind's
//! declared field type when read back. Stores before schema version 4 held serde's tagged
//! form (`{"Float": 8.8e12}`); [`migrate_tagged_fields`] rewrites them.

use std::collections::BTreeMap;

use factql_model::{FieldType, KindSchema, Value};
use serde_json::Value as Json;

/// The plain JSON of one value (the reference the writer is tested against).
#[cfg(test)]
pub(crate) fn to_plain(value: &Value) -> Json {
    use serde_json::{Map, Number};
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(n) => Json::Number(Number::from(*n)),
        // JSON has no NaN or infinity; serde wrote them as null before too.
        Value::Float(x) => Number::from_f64(*x).map_or(Json::Null, Json::Number),
        Value::Str(s) | Value::Date(s) => Json::String(s.clone()),
        Value::Interval(from, to) => {
            let end = |d: &Option<String>| d.clone().map_or(Json::Null, Json::String);
            let mut map = Map::new();
            map.insert("from".into(), end(from));
            map.insert("to".into(), end(to));
            Json::Object(map)
        }
        Value::List(values) => Json::Array(values.iter().map(to_plain).collect()),
    }
}

/// The value of plain JSON `json` for a field of type `ty` (`None`: not declared, read as it
/// looks).
pub(crate) fn from_plain(json: &Json, ty: Option<&FieldType>) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        // `as_i64` is `Some` only for a number written without fraction or exponent.
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => match ty {
            Some(FieldType::Date) => Value::Date(s.clone()),
            _ => Value::Str(s.clone()),
        },
        Json::Array(items) => {
            let element = match ty {
                Some(FieldType::List(element)) => Some(element.as_ref()),
                _ => None,
            };
            Value::List(items.iter().map(|item| from_plain(item, element)).collect())
        }
        Json::Object(map) => {
            let end = |key: &str| map.get(key).and_then(Json::as_str).map(str::to_owned);
            let is_interval = matches!(ty, Some(FieldType::Interval) | None)
                && map.keys().all(|k| k == "from" || k == "to");
            if is_interval {
                Value::Interval(end("from"), end("to"))
            } else {
                Value::Str(json.to_string())
            }
        }
    }
}

/// The `fields` column text of `fields`.
pub(crate) fn fields_json(fields: &BTreeMap<String, Value>) -> String {
    let mut out = Vec::new();
    write_fields_json(&mut out, fields);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends the `fields` column text of `fields` to `out`: the same bytes as [`to_plain`] of
/// each value in a JSON object printed by serde_json, without building that object (ingest
/// writes a few hundred thousand of these per 10 MB of text).
pub(crate) fn write_fields_json(out: &mut Vec<u8>, fields: &BTreeMap<String, Value>) {
    // Writing to a Vec cannot fail, and every value serialises (non-finite floats as null).
    let _ = serde_json::to_writer(out, &PlainFields(fields));
}

/// Serialises as the plain JSON object of a fact's fields.
struct PlainFields<'a>(&'a BTreeMap<String, Value>);

/// Serialises as [`to_plain`] of the value.
struct Plain<'a>(&'a Value);

impl serde::Serialize for PlainFields<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, &Plain(value))?;
        }
        map.end()
    }
}

impl serde::Serialize for Plain<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(n) => serializer.serialize_i64(*n),
            // As `Number::from_f64`: JSON has no NaN or infinity.
            Value::Float(x) if x.is_finite() => serializer.serialize_f64(*x),
            Value::Float(_) => serializer.serialize_unit(),
            Value::Str(s) | Value::Date(s) => serializer.serialize_str(s),
            Value::Interval(from, to) => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("from", from)?;
                map.serialize_entry("to", to)?;
                map.end()
            }
            Value::List(values) => {
                let mut seq = serializer.serialize_seq(Some(values.len()))?;
                for value in values {
                    seq.serialize_element(&Plain(value))?;
                }
                seq.end()
            }
        }
    }
}

/// Reads a `fields` column: plain JSON typed by `kind`'s declaration, or (`tagged`, stores
/// before schema version 4 opened read-only) serde's tagged form.
pub(crate) fn read_fields(
    text: &str,
    kind: Option<&KindSchema>,
    tagged: bool,
) -> Result<BTreeMap<String, Value>, serde_json::Error> {
    use serde::de::DeserializeSeed;
    if tagged {
        return serde_json::from_str(text);
    }
    // Straight from the text to typed values (the engine's load reads every fact's fields):
    // what [`from_plain`] gives for each value of the parsed object, without the object.
    let mut de = serde_json::Deserializer::from_str(text);
    let fields = FieldsSeed(kind).deserialize(&mut de)?;
    de.end()?;
    Ok(fields)
}

/// Reads a `fields` object, each value typed by `kind`'s declaration of its field.
struct FieldsSeed<'a>(Option<&'a KindSchema>);

/// Reads one value as [`from_plain`] reads it for a field of this type.
struct PlainSeed<'a>(Option<&'a FieldType>);

impl<'de> serde::de::DeserializeSeed<'de> for FieldsSeed<'_> {
    type Value = BTreeMap<String, Value>;

    fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for FieldsSeed<'_> {
    type Value = BTreeMap<String, Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object of field values")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(name) = map.next_key::<String>()? {
            let ty = self.0.and_then(|k| k.fields.iter().find(|f| f.name == name)).map(|f| &f.ty);
            let value = map.next_value_seed(PlainSeed(ty))?;
            // A repeated name keeps its last value, as the parsed object did.
            out.insert(name, value);
        }
        Ok(out)
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for PlainSeed<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for PlainSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Int(n))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        // As `Number::as_i64`: an integer past i64 is read as a float.
        Ok(i64::try_from(n).map_or(Value::Float(n as f64), Value::Int))
    }

    fn visit_f64<E>(self, x: f64) -> Result<Value, E> {
        Ok(Value::Float(x))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(match self.0 {
            Some(FieldType::Date) => Value::Date(s.to_owned()),
            _ => Value::Str(s.to_owned()),
        })
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let element = match self.0 {
            Some(FieldType::List(element)) => Some(element.as_ref()),
            _ => None,
        };
        let mut values = Vec::new();
        while let Some(value) = seq.next_element_seed(PlainSeed(element))? {
            values.push(value);
        }
        Ok(Value::List(values))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        // Objects are rare (intervals): read as JSON, then as `from_plain` reads them.
        use serde::Deserialize;
        let json = Json::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        Ok(from_plain(&json, self.0))
    }
}

/// Migration 4: rewrites every fact's tagged fields as plain JSON, in slices of rows by id so
/// a large store is never held in memory whole.
pub(crate) fn migrate_tagged_fields(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    const SLICE: i64 = 10_000;
    let mut select =
        tx.prepare("SELECT id, fields FROM fact WHERE id > ?1 ORDER BY id LIMIT ?2")?;
    let mut update = tx.prepare("UPDATE fact SET fields = ?2 WHERE id = ?1")?;
    let mut after = i64::MIN;
    loop {
        let rows: Vec<(i64, String)> = select
            .query_map(rusqlite::params![after, SLICE], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let Some(&(last, _)) = rows.last() else { return Ok(()) };
        for (id, text) in rows {
            let fields: BTreeMap<String, Value> = serde_json::from_str(&text).map_err(|err| {
                rusqlite::Error::FromSqlConversionFailure(
                    1,
                    rusqlite::types::Type::Text,
                    format!("fact {id}: {err}").into(),
                )
            })?;
            update.execute(rusqlite::params![id, fields_json(&fields)])?;
        }
        after = last;
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use super::*;

    #[test]
    fn every_value_round_trips_through_plain_json_with_its_declared_type() {
        let cases = [
            (Value::Null, FieldType::Str),
            (Value::Bool(true), FieldType::Bool),
            (Value::Int(-3), FieldType::Int),
            (Value::Int(3), FieldType::Float),
            (Value::Float(8.8e12), FieldType::Float),
            (Value::Float(0.5), FieldType::Float),
            (Value::Str("2022".into()), FieldType::Str),
            (Value::Date("2022-03".into()), FieldType::Date),
            (Value::Interval(Some("2019-05".into()), None), FieldType::Interval),
            (
                Value::List(vec![Value::Date("2020".into())]),
                FieldType::List(Box::new(FieldType::Date)),
            ),
        ];
        for (value, ty) in cases {
            let text = to_plain(&value).to_string();
            let back = from_plain(&serde_json::from_str(&text).expect("json"), Some(&ty));
            assert_eq!(back, value, "{text}");
        }
        assert_eq!(to_plain(&Value::Float(8.8e12)).to_string(), "8800000000000.0");
    }

    #[test]
    fn fields_are_read_as_from_plain_reads_the_parsed_object() {
        use factql_model::FieldDef;
        let def = |name: &str, ty: FieldType| FieldDef { name: name.into(), ty, required: false };
        let kind = KindSchema {
            name: "k".into(),
            fields: vec![
                def("d", FieldType::Date),
                def("s", FieldType::Str),
                def("f", FieldType::Float),
                def("i", FieldType::Interval),
                def("l", FieldType::List(Box::new(FieldType::Date))),
                def("ll", FieldType::List(Box::new(FieldType::List(Box::new(FieldType::Date))))),
            ],
            roles: vec![],
        };
        let reference = |text: &str, kind: Option<&KindSchema>| {
            let map: Map<String, Json> = serde_json::from_str(text).expect("object");
            map.iter()
                .map(|(name, json)| {
                    let ty =
                        kind.and_then(|k| k.fields.iter().find(|f| f.name == *name)).map(|f| &f.ty);
                    (name.clone(), from_plain(json, ty))
                })
                .collect::<BTreeMap<String, Value>>()
        };
        let texts = [
            r#"{}"#,
            r#"{"d":"2022-03","s":"2022-03","x":"2022-03","f":1,"g":1.0,"h":-0,"n":null}"#,
            r#"{"big":18446744073709551615,"neg":-9223372036854775808,"e":1e2,"t":true}"#,
            r#"{"i":{"from":"2019","to":null},"x":{"from":"2019"},"d":{"from":"2019"}}"#,
            r#"{"i":{"from":"2019","other":1},"x":{"a":[1,{"b":null}]},"i2":{}}"#,
            r#"{"l":["2020",null,3,["2021"]],"ll":[["2020"],"2021"],"x":["2020"]}"#,
            r#"{"s":"a \"quoted\" \u00e9 \ud83d\ude00 text","s":"again"}"#,
        ];
        for text in texts {
            for kind in [Some(&kind), None] {
                let read = read_fields(text, kind, false).expect(text);
                assert_eq!(read, reference(text, kind), "{text}");
            }
        }
        for bad in ["[]", "1", "{\"a\":}", "{\"a\":1} x", "{\"a\":1"] {
            assert!(read_fields(bad, Some(&kind), false).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_direct_writer_prints_what_the_json_object_prints() {
        let values = [
            Value::Null,
            Value::Bool(false),
            Value::Int(i64::MIN),
            Value::Int(42),
            Value::Float(0.0),
            Value::Float(-0.128),
            Value::Float(8.8e12),
            Value::Float(1e300),
            Value::Float(5e-324),
            Value::Float(f64::NAN),
            Value::Float(f64::INFINITY),
            Value::Str("quote \"he said\"\n\ttab \\ \u{1}\u{7f} Orbán 東京 \u{2028}".into()),
            Value::Date("2022-03".into()),
            Value::Interval(Some("2019-05".into()), None),
            Value::Interval(None, Some("2020".into())),
            Value::List(vec![]),
            Value::List(vec![Value::Int(1), Value::List(vec![Value::Float(0.5), Value::Null])]),
        ];
        let mut fields = BTreeMap::new();
        for (idx, value) in values.iter().enumerate() {
            fields.insert(format!("f{idx:02} \"{idx}\""), value.clone());
            let one = BTreeMap::from([("v".to_owned(), value.clone())]);
            let map: Map<String, Json> =
                one.iter().map(|(name, value)| (name.clone(), to_plain(value))).collect();
            assert_eq!(fields_json(&one), Json::Object(map).to_string(), "{value:?}");
        }
        let map: Map<String, Json> =
            fields.iter().map(|(name, value)| (name.clone(), to_plain(value))).collect();
        assert_eq!(fields_json(&fields), Json::Object(map).to_string());
        assert_eq!(fields_json(&BTreeMap::new()), "{}");
    }
}
