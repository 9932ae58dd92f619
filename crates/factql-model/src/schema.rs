//! Kind schemas: which fields a kind of fact has and what type each field is.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Value;

/// The type of a fact field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldType {
    /// Text.
    Str,
    /// Signed integer.
    Int,
    /// Floating-point number (an integer is accepted too).
    Float,
    /// Boolean.
    Bool,
    /// Partial ISO 8601 date.
    Date,
    /// An interval of partial dates (a term of office).
    Interval,
    /// A list whose elements all have the given type.
    List(Box<FieldType>),
}

impl FieldType {
    /// True when `value` is of this type; `Null` fits any optional field and is checked by
    /// the caller.
    pub fn accepts(&self, value: &Value) -> bool {
        match (self, value) {
            (FieldType::Str, Value::Str(_))
            | (FieldType::Int, Value::Int(_))
            | (FieldType::Float, Value::Float(_) | Value::Int(_))
            | (FieldType::Bool, Value::Bool(_))
            | (FieldType::Date, Value::Date(_))
            | (FieldType::Interval, Value::Interval(..)) => true,
            (FieldType::List(element), Value::List(values)) => {
                values.iter().all(|value| element.accepts(value))
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for FieldType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FieldType::Str => f.write_str("string"),
            FieldType::Int => f.write_str("int"),
            FieldType::Float => f.write_str("float"),
            FieldType::Bool => f.write_str("bool"),
            FieldType::Date => f.write_str("date"),
            FieldType::Interval => f.write_str("interval"),
            FieldType::List(element) => write!(f, "list<{element}>"),
        }
    }
}

/// One declared field of a kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDef {
    /// Field name, e.g. `cameo`.
    pub name: String,
    /// Its type.
    pub ty: FieldType,
    /// Whether every fact of the kind must set it.
    pub required: bool,
}

/// The declaration of one kind: its name, fields and argument roles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindSchema {
    /// Kind name, e.g. `event`.
    pub name: String,
    /// Typed fields.
    pub fields: Vec<FieldDef>,
    /// Argument roles a fact of this kind may have, e.g. `actor`, `recipient`.
    pub roles: Vec<String>,
}

/// Why a kind declaration or a fact does not fit the schema.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// Two declarations of one kind disagree.
    #[error("kind `{kind}` is declared twice with different fields")]
    Conflict {
        /// The kind.
        kind: String,
    },
    /// A fact names a kind nobody declared.
    #[error("kind `{kind}` is not declared")]
    UnknownKind {
        /// The kind.
        kind: String,
    },
    /// A fact sets a field its kind does not declare.
    #[error("kind `{kind}` has no field `{field}`")]
    UnknownField {
        /// The kind.
        kind: String,
        /// The field.
        field: String,
    },
    /// A required field is missing.
    #[error("field `{field}` of kind `{kind}` is required")]
    MissingField {
        /// The kind.
        kind: String,
        /// The field.
        field: String,
    },
    /// A field holds a value of the wrong type.
    #[error("field `{field}` of kind `{kind}` must be {expected}, got {found}")]
    TypeMismatch {
        /// The kind.
        kind: String,
        /// The field.
        field: String,
        /// The declared type.
        expected: FieldType,
        /// The value found, as source text.
        found: String,
    },
    /// An argument uses a role the kind does not declare.
    #[error("kind `{kind}` has no argument role `{role}`")]
    UnknownRole {
        /// The kind.
        kind: String,
        /// The role.
        role: String,
    },
}

/// All declared kinds: kind → fields → types.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    kinds: BTreeMap<String, KindSchema>,
}

impl Schema {
    /// Adds a kind; declaring the same kind again identically is a no-op.
    pub fn declare(&mut self, kind: KindSchema) -> Result<(), SchemaError> {
        match self.kinds.get(&kind.name) {
            Some(existing) if *existing != kind => {
                Err(SchemaError::Conflict { kind: kind.name.clone() })
            }
            Some(_) => Ok(()),
            None => {
                self.kinds.insert(kind.name.clone(), kind);
                Ok(())
            }
        }
    }

    /// The declaration of `kind`.
    pub fn kind(&self, kind: &str) -> Option<&KindSchema> {
        self.kinds.get(kind)
    }

    /// All declarations, ordered by name.
    pub fn kinds(&self) -> impl Iterator<Item = &KindSchema> {
        self.kinds.values()
    }

    /// Checks the fields and argument roles of one fact against its kind.
    pub fn check<'a>(
        &self,
        kind: &str,
        fields: &BTreeMap<String, Value>,
        roles: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), SchemaError> {
        let Some(schema) = self.kinds.get(kind) else {
            return Err(SchemaError::UnknownKind { kind: kind.to_owned() });
        };
        for (name, value) in fields {
            let Some(def) = schema.fields.iter().find(|def| def.name == *name) else {
                return Err(SchemaError::UnknownField {
                    kind: kind.to_owned(),
                    field: name.clone(),
                });
            };
            let missing = matches!(value, Value::Null);
            if missing && def.required {
                return Err(SchemaError::MissingField {
                    kind: kind.to_owned(),
                    field: name.clone(),
                });
            }
            if !missing && !def.ty.accepts(value) {
                return Err(SchemaError::TypeMismatch {
                    kind: kind.to_owned(),
                    field: name.clone(),
                    expected: def.ty.clone(),
                    found: value.to_string(),
                });
            }
        }
        if let Some(def) =
            schema.fields.iter().find(|def| def.required && !fields.contains_key(&def.name))
        {
            return Err(SchemaError::MissingField {
                kind: kind.to_owned(),
                field: def.name.clone(),
            });
        }
        for role in roles {
            if !schema.roles.iter().any(|declared| declared == role) {
                return Err(SchemaError::UnknownRole {
                    kind: kind.to_owned(),
                    role: role.to_owned(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money_schema() -> Schema {
        let mut schema = Schema::default();
        schema
            .declare(KindSchema {
                name: "money".into(),
                fields: vec![
                    FieldDef { name: "amount".into(), ty: FieldType::Float, required: true },
                    FieldDef { name: "currency".into(), ty: FieldType::Str, required: false },
                ],
                roles: vec!["payer".into()],
            })
            .unwrap();
        schema
    }

    fn fields(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs.iter().map(|(name, value)| (name.to_string(), value.clone())).collect()
    }

    #[test]
    fn check_accepts_a_well_typed_fact() {
        let schema = money_schema();
        let ok = fields(&[("amount", Value::Int(5)), ("currency", Value::Str("USD".into()))]);
        assert_eq!(schema.check("money", &ok, ["payer"]), Ok(()));
    }

    #[test]
    fn check_names_what_is_wrong() {
        let schema = money_schema();
        let err = |pairs: &[(&str, Value)], roles: &[&str]| {
            schema.check("money", &fields(pairs), roles.iter().copied()).unwrap_err().to_string()
        };
        assert_eq!(err(&[], &[]), "field `amount` of kind `money` is required");
        assert_eq!(
            err(&[("amount", Value::Str("five".into()))], &[]),
            "field `amount` of kind `money` must be float, got \"five\""
        );
        assert_eq!(
            err(&[("amount", Value::Int(1)), ("cost", Value::Int(1))], &[]),
            "kind `money` has no field `cost`"
        );
        assert_eq!(
            err(&[("amount", Value::Int(1))], &["payee"]),
            "kind `money` has no argument role `payee`"
        );
        assert_eq!(
            schema.check("cash", &BTreeMap::new(), []).unwrap_err(),
            SchemaError::UnknownKind { kind: "cash".into() }
        );
    }

    #[test]
    fn redeclaring_a_kind_differently_is_a_conflict() {
        let mut schema = money_schema();
        let same = schema.kind("money").unwrap().clone();
        assert_eq!(schema.declare(same.clone()), Ok(()));
        let mut other = same;
        other.fields.pop();
        assert_eq!(schema.declare(other), Err(SchemaError::Conflict { kind: "money".into() }));
    }
}
