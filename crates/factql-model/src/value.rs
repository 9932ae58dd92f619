//! Typed values of fact fields.

use serde::{Deserialize, Serialize};

/// The value of one field of a fact, typed so that it survives compact binary encodings
/// (plugin batches) as well as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Value {
    /// No value.
    Null,
    /// A boolean.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// Text.
    Str(String),
    /// A partial ISO 8601 date (`2022`, `2022-03`, `2022-03-15`).
    Date(String),
    /// An interval of partial dates; an open end is `None` (`2019-05..`, `..2024`).
    Interval(Option<String>, Option<String>),
    /// A list of values.
    List(Vec<Value>),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(value) => write!(f, "{value}"),
            Value::Int(value) => write!(f, "{value}"),
            Value::Float(value) => write!(f, "{value}"),
            Value::Str(value) => write!(f, "{value:?}"),
            Value::Date(value) => write!(f, "@{value}"),
            Value::Interval(from, to) => {
                write!(f, "@{}..{}", from.as_deref().unwrap_or(""), to.as_deref().unwrap_or(""))
            }
            Value::List(values) => {
                f.write_str("[")?;
                for (idx, value) in values.iter().enumerate() {
                    if idx > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{value}")?;
                }
                f.write_str("]")
            }
        }
    }
}
