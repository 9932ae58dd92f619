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
use serde_json::{Map, Number, Value as Json};

/// The plain JSON of one value.
pub(crate) fn to_plain(value: &Value) -> Json {
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
    let map: Map<String, Json> =
        fields.iter().map(|(name, value)| (name.clone(), to_plain(value))).collect();
    Json::Object(map).to_string()
}

/// Reads a `fields` column: plain JSON typed by `kind`'s declaration, or (`tagged`, stores
/// before schema version 4 opened read-only) serde's tagged form.
pub(crate) fn read_fields(
    text: &str,
    kind: Option<&KindSchema>,
    tagged: bool,
) -> Result<BTreeMap<String, Value>, serde_json::Error> {
    if tagged {
        return serde_json::from_str(text);
    }
    let map: Map<String, Json> = serde_json::from_str(text)?;
    Ok(map
        .iter()
        .map(|(name, json)| {
            let ty = kind.and_then(|k| k.fields.iter().find(|f| f.name == *name)).map(|f| &f.ty);
            (name.clone(), from_plain(json, ty))
        })
        .collect())
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
}
