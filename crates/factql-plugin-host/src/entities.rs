//! The entities of one plugin call: named by the plugin or implied by a linked mention, merged
//! by id, with every type mapped to its kind through the one vocabulary in `factql-model`.

use std::collections::BTreeMap;

use factql_model::{Entity, declared_entity_kind};

/// A plugin's declared mention types and entity kinds, and what each declared type stands for.
#[derive(Debug)]
pub(crate) struct Kinds {
    /// The types as the manifest declares them, each with its kind.
    types: Vec<(String, String)>,
    /// The kinds the manifest declares of its own.
    own: Vec<String>,
    /// The manifest's `mention_types`, for the general rule.
    declared: Vec<String>,
}

impl Kinds {
    /// From a manifest's `mention_types` and `entity_kinds`; a type that stands for no kind is
    /// an error (the load refuses the plugin).
    pub(crate) fn new(mention_types: &[String], entity_kinds: &[String]) -> Result<Kinds, String> {
        for kind in entity_kinds {
            if !factql_model::valid_kind_name(kind) {
                return Err(format!(
                    "entity kind {kind:?} must be lower-case letters, digits or `_`, starting with a letter, and not a built-in type name"
                ));
            }
        }
        let mut types = Vec::with_capacity(mention_types.len());
        for name in mention_types {
            let kind = factql_model::entity_kind(name, entity_kinds).ok_or_else(|| {
                format!(
                    "mention type `{name}` is not a known entity type (person, place, org, group, or PER, PERSON, LOC, GPE, FAC, ORG, NORP, ...); declare it with `entity_kind` if it is a kind of its own"
                )
            })?;
            types.push((name.clone(), kind.to_owned()));
        }
        Ok(Kinds { types, own: entity_kinds.to_vec(), declared: mention_types.to_vec() })
    }

    /// Whether the plugin may emit mentions at all.
    pub(crate) fn any(&self) -> bool {
        !self.types.is_empty()
    }

    /// The kind a mention or entity type stands for, when the plugin declared it.
    pub(crate) fn kind_of(&self, type_name: &str) -> Option<&str> {
        match self.types.iter().find(|(name, _)| name == type_name) {
            Some((_, kind)) => Some(kind),
            None => declared_entity_kind(type_name, &self.declared, &self.own),
        }
    }

    /// [`Kinds::kind_of`] on bytes that may not be UTF-8.
    pub(crate) fn kind_of_bytes(&self, type_name: &[u8]) -> Option<&str> {
        match self.types.iter().find(|(name, _)| name.as_bytes() == type_name) {
            Some((_, kind)) => Some(kind),
            None => self.kind_of(std::str::from_utf8(type_name).ok()?),
        }
    }
}

/// Entities of one call, by id.
#[derive(Debug, Default)]
pub(crate) struct Merge {
    /// Each entity, and whether the plugin named it (rather than a mention implying it).
    by_id: BTreeMap<String, (Entity, bool)>,
}

impl Merge {
    /// A mention links to `id`: an entity of the mention's kind named by its text, unless the
    /// plugin names it.
    pub(crate) fn implied(&mut self, id: &str, kind: &str, surface: &str) {
        if !self.has(id) {
            let entity = Entity {
                id: id.to_owned(),
                kind: kind.to_owned(),
                name: surface.to_owned(),
                aliases: Vec::new(),
                wikidata: None,
            };
            self.by_id.insert(id.to_owned(), (entity, false));
        }
    }

    /// The plugin names an entity (its kind already mapped): the first naming sets the kind,
    /// name and Wikidata id, later ones add aliases; naming one id with two kinds is an error.
    pub(crate) fn named(&mut self, entity: Entity) -> Result<(), String> {
        check_entity(&entity)?;
        match self.by_id.get_mut(&entity.id) {
            Some((known, true)) => {
                if known.kind != entity.kind {
                    return Err(format!(
                        "entity `{}` is named as a {} and as a {}",
                        entity.id, known.kind, entity.kind
                    ));
                }
                if known.wikidata.is_none() {
                    known.wikidata = entity.wikidata;
                }
                for alias in std::iter::once(entity.name).chain(entity.aliases) {
                    if alias != known.name && !known.aliases.contains(&alias) {
                        known.aliases.push(alias);
                    }
                }
            }
            _ => {
                let mut entity = entity;
                // At most 256 aliases (checked above), usually a few: a scan of those kept
                // costs less than a set of copies.
                let given = std::mem::take(&mut entity.aliases);
                let mut aliases: Vec<String> = Vec::with_capacity(given.len());
                for alias in given {
                    if alias != entity.name && !aliases.contains(&alias) {
                        aliases.push(alias);
                    }
                }
                entity.aliases = aliases;
                self.by_id.insert(entity.id.clone(), (entity, true));
            }
        }
        Ok(())
    }

    /// Whether the call named (or a mention implied) an entity with this id.
    pub(crate) fn has(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// The merged entities, in id order.
    pub(crate) fn finish(self) -> Vec<Entity> {
        self.by_id.into_values().map(|(entity, _)| entity).collect()
    }
}

/// Ids, names and aliases are short single-line text; a Wikidata id is `Q` and digits.
fn check_entity(entity: &Entity) -> Result<(), String> {
    let line = |what: &str, value: &str, max: usize| {
        if value.trim().is_empty() || value.len() > max || value.chars().any(char::is_control) {
            Err(format!(
                "entity `{}`: {what} {value:?} must be 1-{max} bytes of text on one line",
                entity.id
            ))
        } else {
            Ok(())
        }
    };
    line("id", &entity.id, 256)?;
    line("name", &entity.name, 512)?;
    for alias in &entity.aliases {
        line("alias", alias, 512)?;
    }
    if entity.aliases.len() > 256 {
        return Err(format!("entity `{}` has more than 256 aliases", entity.id));
    }
    if let Some(qid) = &entity.wikidata {
        let digits = qid.strip_prefix('Q').unwrap_or("");
        if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("entity `{}`: wikidata id {qid:?} is not Q and digits", entity.id));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(id: &str, kind: &str, name: &str, aliases: &[&str]) -> Entity {
        Entity {
            id: id.into(),
            kind: kind.into(),
            name: name.into(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            wikidata: None,
        }
    }

    #[test]
    fn usual_type_names_map_to_kinds_and_unknown_ones_are_refused() {
        let kinds = Kinds::new(&["PER".into(), "GPE".into()], &[]).expect("known types");
        assert_eq!(kinds.kind_of("PER"), Some("person"));
        assert_eq!(kinds.kind_of("person"), Some("person"));
        assert_eq!(kinds.kind_of_bytes(b"LOC"), Some("place"));
        assert_eq!(kinds.kind_of("ORG"), None, "not declared");
        let err = Kinds::new(&["MISC".into()], &[]).expect_err("unknown type");
        assert!(err.contains("mention type `MISC` is not a known entity type"), "{err}");
        let own = Kinds::new(&["weapon".into()], &["weapon".into()]).expect("declared");
        assert_eq!(own.kind_of("weapon"), Some("weapon"));
        assert!(Kinds::new(&[], &["Per".into()]).is_err());
    }

    #[test]
    fn naming_an_entity_twice_unites_aliases_and_overrides_what_a_mention_implied() {
        let mut merge = Merge::default();
        merge.implied("wd:Q1", "person", "Scholz");
        merge.named(entity("wd:Q1", "person", "Olaf Scholz", &["Scholz"])).expect("ok");
        merge
            .named(entity("wd:Q1", "person", "Olaf Scholz", &["O. Scholz", "Scholz"]))
            .expect("ok");
        merge.implied("wd:Q1", "place", "Scholz");
        let out = merge.finish();
        assert_eq!(out, [entity("wd:Q1", "person", "Olaf Scholz", &["Scholz", "O. Scholz"])]);
    }

    #[test]
    fn one_id_with_two_kinds_is_refused() {
        let mut merge = Merge::default();
        merge.named(entity("x", "person", "X", &[])).expect("ok");
        let err = merge.named(entity("x", "place", "X", &[])).expect_err("conflict");
        assert_eq!(err, "entity `x` is named as a person and as a place");
    }

    #[test]
    fn bad_names_and_wikidata_ids_are_refused() {
        let mut merge = Merge::default();
        assert!(merge.named(entity("", "person", "X", &[])).is_err());
        assert!(merge.named(entity("a", "person", "two\nlines", &[])).is_err());
        let mut bad_qid = entity("b", "person", "B", &[]);
        bad_qid.wikidata = Some("2866".into());
        assert!(merge.named(bad_qid).is_err());
        let mut good_qid = entity("c", "person", "C", &[]);
        good_qid.wikidata = Some("Q2866".into());
        assert!(merge.named(good_qid).is_ok());
    }
}
