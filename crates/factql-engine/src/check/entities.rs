//! Entity literals (`"Viktor Orban"`, `(:person $who)`): names and aliases to entity ids,
//! the most mentioned when several match, did-you-mean from names and aliases.

use factql_syntax::{EntityName, EntityNameValue};

use crate::value::Val;

use super::Checker;

impl Checker<'_> {
    pub(super) fn entity_name_text(&mut self, name: &EntityName) -> Option<String> {
        match &name.value {
            EntityNameValue::String(text) => Some(text.clone()),
            EntityNameValue::Param(param) => match self.param(param, name.span)? {
                Val::Str(text) => Some(text.to_string()),
                other => {
                    self.error(
                        "E0401",
                        name.span,
                        format!("`${param}` must be a name, got {}", self.ds.display(&other)),
                        "not a string",
                        None,
                    );
                    None
                }
            },
        }
    }

    /// Resolves an entity literal through names and aliases; the most mentioned wins, with a
    /// warning, when several match.
    pub(super) fn resolve_entity(&mut self, name: &EntityName, kind: Option<&str>) -> Option<u32> {
        let text = self.entity_name_text(name)?;
        let found = self.ds.entities_named(&text, kind);
        let what = kind.unwrap_or("entity");
        match found.as_slice() {
            [] => {
                let help = self.entity_suggestions(&text, kind);
                self.error(
                    "E0302",
                    name.span,
                    format!("no {what} named \"{text}\""),
                    "not in the data",
                    help,
                );
                None
            }
            [one] => Some(*one),
            many => {
                let mut ranked: Vec<u32> = many.to_vec();
                ranked.sort_by_key(|&e| {
                    std::cmp::Reverse(self.ds.entities[e as usize].mentions.len())
                });
                let best = ranked[0];
                let others: Vec<String> = ranked[1..]
                    .iter()
                    .map(|&e| {
                        format!(
                            "\"{}\" ({} mentions)",
                            self.ds.entities[e as usize].name,
                            self.ds.entities[e as usize].mentions.len()
                        )
                    })
                    .collect();
                let chosen = &self.ds.entities[best as usize];
                self.warn(
                    "W0303",
                    name.span,
                    format!(
                        "\"{text}\" is ambiguous; using \"{}\" ({} mentions)",
                        chosen.name,
                        chosen.mentions.len()
                    ),
                    "several entities",
                    Some(format!("also {}; write the full name to choose", others.join(", "))),
                );
                Some(best)
            }
        }
    }

    /// "did you mean" for an entity name: close spellings and names that contain it, with
    /// mention counts.
    fn entity_suggestions(&self, text: &str, kind: Option<&str>) -> Option<String> {
        let key = factql_model::fold(text);
        let mut scored: Vec<(usize, u32)> = Vec::new();
        for (idx, entity) in self.ds.entities.iter().enumerate() {
            if kind.is_some_and(|k| *entity.kind != *k) {
                continue;
            }
            let mut best = usize::MAX;
            let names = std::iter::once(entity.name.to_string()).chain(
                entity.aliases.iter().filter_map(|a| match a {
                    Val::Str(s) => Some(s.to_string()),
                    _ => None,
                }),
            );
            for name in names {
                let folded = factql_model::fold(&name);
                for word in std::iter::once(folded.as_str()).chain(folded.split_whitespace()) {
                    let distance = factql_syntax::edit_distance(&key, word);
                    if distance <= (key.chars().count() / 3).max(1) {
                        best = best.min(distance);
                    }
                }
            }
            if best != usize::MAX {
                scored.push((best, idx as u32));
            }
        }
        scored.sort_by_key(|&(distance, e)| {
            (distance, std::cmp::Reverse(self.ds.entities[e as usize].mentions.len()))
        });
        let names: Vec<String> = scored
            .iter()
            .take(2)
            .map(|&(_, e)| {
                let entity = &self.ds.entities[e as usize];
                format!("\"{}\" ({} mentions)", entity.name, entity.mentions.len())
            })
            .collect();
        (!names.is_empty()).then(|| format!("did you mean {}?", names.join(" or ")))
    }
}
