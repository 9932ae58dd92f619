//! The entity kind vocabulary, shared by the plugin host (which checks what plugins emit) and
//! the engine (which answers `people`, `(p:person)` and `mentions(person ...)`).
//!
//! An entity has one of the four built-in kinds, or a kind its plugin declares in its
//! manifest. Mentions carry a type as the plugin wrote it (`PER`, `GPE`, `NORP`, ...); the
//! usual type names of NER tools map to the built-in kinds here, and nowhere else.

/// The built-in entity kinds, in the order they are listed to users.
pub const ENTITY_KINDS: [&str; 4] = ["person", "place", "org", "group"];

/// The built-in kind a type name stands for: the kinds themselves and the usual NER labels,
/// any ASCII case (`PER`, `PERSON`, `LOC`, `GPE`, `FAC`, `LOCATION`, `ORG`, `ORGANIZATION`,
/// `ORGANISATION`, `NORP`, `GROUP`). `None` for anything else, which a plugin must declare as its own kind.
///
/// ```
/// use factql_model::builtin_entity_kind;
///
/// assert_eq!(builtin_entity_kind("PER"), Some("person"));
/// assert_eq!(builtin_entity_kind("gpe"), Some("place"));
/// assert_eq!(builtin_entity_kind("NORP"), Some("group"));
/// assert_eq!(builtin_entity_kind("MISC"), None);
/// ```
pub fn builtin_entity_kind(type_name: &str) -> Option<&'static str> {
    const TABLE: [(&str, &str); 12] = [
        ("person", "person"),
        ("per", "person"),
        ("place", "place"),
        ("loc", "place"),
        ("gpe", "place"),
        ("fac", "place"),
        ("location", "place"),
        ("org", "org"),
        ("organization", "org"),
        ("organisation", "org"),
        ("group", "group"),
        ("norp", "group"),
    ];
    TABLE.iter().find(|(name, _)| name.eq_ignore_ascii_case(type_name)).map(|(_, kind)| *kind)
}

/// The kind a mention or entity type stands for, given the kinds its plugin declared: a
/// built-in kind through [`builtin_entity_kind`], else a declared kind named exactly.
///
/// ```
/// use factql_model::entity_kind;
///
/// let declared = ["weapon".to_owned()];
/// assert_eq!(entity_kind("PERSON", &declared), Some("person"));
/// assert_eq!(entity_kind("weapon", &declared), Some("weapon"));
/// assert_eq!(entity_kind("vehicle", &declared), None);
/// ```
pub fn entity_kind<'a>(type_name: &str, declared: &'a [String]) -> Option<&'a str> {
    builtin_entity_kind(type_name)
        .or_else(|| declared.iter().find(|kind| *kind == type_name).map(String::as_str))
}

/// The kind `type_name` stands for, when a plugin that declared `mention_types` and
/// `entity_kinds` may emit it: it must stand for a kind ([`entity_kind`]) that one of the
/// declared types also stands for (declaring `PER` allows `person` and `PERSON` too).
///
/// ```
/// use factql_model::declared_entity_kind;
///
/// let types = ["PER".to_owned(), "GPE".to_owned()];
/// assert_eq!(declared_entity_kind("person", &types, &[]), Some("person"));
/// assert_eq!(declared_entity_kind("LOC", &types, &[]), Some("place"));
/// assert_eq!(declared_entity_kind("ORG", &types, &[]), None);
/// ```
pub fn declared_entity_kind<'a>(
    type_name: &str,
    mention_types: &[String],
    entity_kinds: &'a [String],
) -> Option<&'a str> {
    let kind = entity_kind(type_name, entity_kinds)?;
    mention_types.iter().any(|t| entity_kind(t, entity_kinds) == Some(kind)).then_some(kind)
}

/// Whether `name` may be declared as a new entity kind: lower-case ASCII letters, digits and
/// `_`, starting with a letter, at most 32 bytes, and not a name the built-in table maps
/// (declaring `per` would shadow `person`).
///
/// ```
/// use factql_model::valid_kind_name;
///
/// assert!(valid_kind_name("weapon"));
/// assert!(!valid_kind_name("Weapon"));
/// assert!(!valid_kind_name("per"));
/// ```
pub fn valid_kind_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && name.len() <= 32
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && builtin_entity_kind(name).is_none()
}

/// The kind to file a stored mention under: the built-in kind of its type, else the type
/// itself (a declared kind; the host checked it when the mention was stored).
pub fn stored_mention_kind(type_name: &str) -> &str {
    builtin_entity_kind(type_name).unwrap_or(type_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_kind_maps_to_itself() {
        for kind in ENTITY_KINDS {
            assert_eq!(builtin_entity_kind(kind), Some(kind));
            assert_eq!(builtin_entity_kind(&kind.to_uppercase()), Some(kind));
        }
    }

    #[test]
    fn declared_kinds_never_shadow_builtin_names() {
        assert!(!valid_kind_name("gpe"));
        assert!(!valid_kind_name("person"));
        assert!(!valid_kind_name("9lives"));
        assert!(!valid_kind_name("has space"));
        assert!(valid_kind_name("sports_team"));
    }
}
