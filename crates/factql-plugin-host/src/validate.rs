//! Validation of a plugin's output, treated as untrusted input, and its conversion to the model.

use std::collections::BTreeMap;
use std::sync::Arc;

use factql_model::{
    Arg, ArgTarget, Article, Entity, ExtractorRef, Fact, FieldDef, FieldType, KindSchema, Mention,
    MentionLevel, Provenance, Schema, Span, Value,
};

use crate::entities::{Kinds, Merge};
use factql_model::Extraction;
use factql_plugin_abi::WIRE_SCHEMA;
use factql_plugin_sdk::wire::{self, Batch, Manifest};

use crate::batch::sentence_of;

/// The model's declaration of a wire kind.
pub fn kind_schema(kind: &wire::KindDecl) -> KindSchema {
    KindSchema {
        name: kind.name.clone(),
        fields: kind
            .fields
            .iter()
            .map(|field| FieldDef {
                name: field.name.clone(),
                ty: field_type(&field.ty),
                required: field.required,
            })
            .collect(),
        roles: kind.roles.clone(),
    }
}

fn field_type(ty: &wire::FieldType) -> FieldType {
    match ty {
        wire::FieldType::Str => FieldType::Str,
        wire::FieldType::Int => FieldType::Int,
        wire::FieldType::Float => FieldType::Float,
        wire::FieldType::Bool => FieldType::Bool,
        wire::FieldType::Date => FieldType::Date,
        wire::FieldType::List(element) => FieldType::List(Box::new(field_type(element))),
        wire::FieldType::Interval => FieldType::Interval,
    }
}

fn value(raw: wire::Value) -> Result<Value, String> {
    Ok(match raw {
        wire::Value::Null => Value::Null,
        wire::Value::Bool(b) => Value::Bool(b),
        wire::Value::Int(i) => Value::Int(i),
        wire::Value::Float(f) if f.is_finite() => Value::Float(f),
        wire::Value::Float(f) => return Err(format!("is {f}, not a finite number")),
        wire::Value::Str(s) => Value::Str(s),
        wire::Value::Date(d) => Value::Date(d),
        wire::Value::List(values) => {
            Value::List(values.into_iter().map(value).collect::<Result<_, _>>()?)
        }
        wire::Value::Interval(from, to) => Value::Interval(from, to),
    })
}

fn level(level: wire::MentionLevel) -> MentionLevel {
    match level {
        wire::MentionLevel::Name => MentionLevel::Name,
        wire::MentionLevel::Nominal => MentionLevel::Nominal,
        wire::MentionLevel::Pronoun => MentionLevel::Pronoun,
        wire::MentionLevel::Demonym => MentionLevel::Demonym,
    }
}

fn span_of(text: &str, span: wire::Span, what: &dyn Fn() -> String) -> Result<Span, String> {
    let span = Span::new(span.start as usize, span.end as usize);
    span.check(text).map_err(|err| format!("{}: {err}", what()))?;
    Ok(span)
}

fn confidence(value: f32, what: &dyn Fn() -> String) -> Result<f32, String> {
    if value.is_finite() && (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{}: confidence {value} is not a number in [0, 1]", what()))
    }
}

/// Checks every mention and fact of `batch` against the plugin's manifest and the article text,
/// and converts them, with provenance, for the store.
///
/// An argument may point at an entity the plugin named (or a mention implied) in the same
/// call, or one that `known` says the plugins before it named for this article: the store
/// never gets an argument pointing at no entity.
///
/// The reference for [`crate::batch::read`], which does the same in one pass over the bytes.
pub(crate) fn validate(
    manifest: &Manifest,
    kinds: &Kinds,
    schema: &Schema,
    extractor: &Arc<ExtractorRef>,
    article: &Article,
    batch: Batch,
    known: &dyn Fn(&str) -> bool,
) -> Result<Extraction, String> {
    if batch.schema != WIRE_SCHEMA {
        return Err(format!("batch schema {} (this host reads {WIRE_SCHEMA})", batch.schema));
    }
    let text = &article.text;
    let provenance = |span: Span, confidence: f32| Provenance {
        article: article.id.clone(),
        sentence: sentence_of(article, span.start),
        span,
        extractor: extractor.clone(),
        confidence,
    };
    if !batch.mentions.is_empty() && !kinds.any() {
        return Err("it emits mentions, but its manifest declares no mention types".into());
    }
    let mut out = Extraction {
        mentions: Vec::with_capacity(batch.mentions.len()),
        facts: Vec::with_capacity(batch.facts.len()),
        ..Extraction::default()
    };
    let mut entities = Merge::default();
    let n_mentions = batch.mentions.len();
    for (idx, mention) in batch.mentions.into_iter().enumerate() {
        // Named lazily: formatting it for every valid item would cost more than checking it.
        let what = || format!("mention {idx}");
        let span = span_of(text, mention.span, &what)?;
        let confidence = confidence(mention.confidence, &what)?;
        let Some(kind) = kinds.kind_of(&mention.ent_type) else {
            return Err(format!(
                "{}: type `{}` is not among the mention types its manifest declares",
                what(),
                mention.ent_type
            ));
        };
        if let Some(id) = &mention.entity {
            entities.implied(id, kind, span.slice(text));
        }
        out.mentions.push(Mention {
            provenance: provenance(span, confidence),
            level: level(mention.level),
            entity: mention.entity,
            ent_type: mention.ent_type,
        });
    }
    for (idx, entity) in batch.entities.into_iter().enumerate() {
        let Some(kind) = kinds.kind_of(&entity.kind) else {
            return Err(format!(
                "entity {idx} (`{}`): kind `{}` is not among the mention types its manifest declares",
                entity.id, entity.kind
            ));
        };
        entities.named(Entity {
            id: entity.id,
            kind: kind.to_owned(),
            name: entity.name,
            aliases: entity.aliases,
            wikidata: entity.wikidata,
        })?;
    }
    for (idx, fact) in batch.facts.into_iter().enumerate() {
        let what = || format!("fact {idx} (`{}`)", fact.kind);
        if !manifest.produces.iter().any(|kind| kind.name == fact.kind) {
            return Err(format!("{}: kind `{}` is not declared by this plugin", what(), fact.kind));
        }
        let span = span_of(text, fact.span, &what)?;
        let confidence = confidence(fact.confidence, &what)?;
        let mut fields = BTreeMap::new();
        for (name, raw) in fact.fields {
            let converted =
                value(raw).map_err(|err| format!("{}: field `{name}` {err}", what()))?;
            if fields.contains_key(&name) {
                return Err(format!("{}: field `{name}` is set twice", what()));
            }
            fields.insert(name, converted);
        }
        schema
            .check(&fact.kind, &fields, fact.args.iter().map(|arg| arg.role.as_str()))
            .map_err(|err| format!("{}: {err}", what()))?;
        let mut args = Vec::with_capacity(fact.args.len());
        for arg in &fact.args {
            let target = match &arg.target {
                wire::Target::Mention(target) if (*target as usize) < n_mentions => {
                    ArgTarget::Mention(*target as usize)
                }
                wire::Target::Fact(target) if (*target as usize) < idx => {
                    ArgTarget::Fact(*target as usize)
                }
                wire::Target::Mention(target) | wire::Target::Fact(target) => {
                    return Err(format!(
                        "{}: argument `{}` points at {target}, which is not an existing mention or earlier fact",
                        what(),
                        arg.role
                    ));
                }
                wire::Target::Entity(id) if entities.has(id) || known(id) => {
                    ArgTarget::Entity(id.clone())
                }
                wire::Target::Entity(id) => {
                    return Err(format!(
                        "{}: argument `{}` points at entity `{id}`, which neither this plugin nor a plugin it reads named",
                        what(),
                        arg.role
                    ));
                }
                wire::Target::Literal(raw) => ArgTarget::Literal(
                    value(raw.clone())
                        .map_err(|err| format!("{}: argument `{}` {err}", what(), arg.role))?,
                ),
            };
            args.push(Arg { role: arg.role.clone(), target });
        }
        out.facts.push(Fact {
            kind: fact.kind,
            provenance: provenance(span, confidence),
            fields,
            args,
        });
    }
    out.entities = entities.finish();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use factql_plugin_sdk::wire::{Arg, Fact, FieldType, KindDecl, Mention, MentionLevel, Target};

    use super::*;

    use crate::test_util::{Rng, article};

    fn extractor() -> Arc<ExtractorRef> {
        Arc::new(ExtractorRef { name: "m".into(), version: "1".into() })
    }

    fn manifest() -> (Manifest, Schema) {
        let manifest = Manifest::new("m", "1").mentions(&["PER"]).produces(
            KindDecl::new("k")
                .field("n", FieldType::Int, true)
                .field("s", FieldType::Str, false)
                .role("r"),
        );
        let mut schema = Schema::default();
        schema.declare(kind_schema(&manifest.produces[0])).expect("declare");
        (manifest, schema)
    }

    fn random_value(rng: &mut Rng) -> wire::Value {
        match rng.below(6) {
            0 => wire::Value::Null,
            1 => wire::Value::Int(rng.next() as i64),
            2 => wire::Value::Float(f64::from_bits(rng.next())),
            3 => wire::Value::Str("x".repeat(rng.below(3) as usize)),
            4 => wire::Value::Bool(rng.below(2) == 0),
            _ => wire::Value::List(vec![wire::Value::Int(1)]),
        }
    }

    /// Random batches near the edges (spans around the text's end and its multi-byte
    /// characters, unknown kinds and fields, NaN, dangling indexes) never panic the validator,
    /// and whatever it accepts fits the text and the schema.
    #[test]
    fn random_batches_never_panic_and_accepted_output_fits() {
        let article = article();
        let (manifest, schema) = manifest();
        let len = article.text.len() as u64;
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut accepted = 0;
        for _ in 0..20_000 {
            let span = |rng: &mut Rng| {
                let start = rng.below(len + 3) as u32;
                wire::Span { start, end: start.saturating_add(rng.below(8) as u32) }
            };
            let mut batch = Batch {
                schema: if rng.below(50) == 0 { 9 } else { WIRE_SCHEMA },
                ..Batch::default()
            };
            for _ in 0..rng.below(3) {
                batch.mentions.push(Mention {
                    span: span(&mut rng),
                    ent_type: ["PER", "person", "", "ORG", "PER"][rng.below(5) as usize].into(),
                    level: MentionLevel::Name,
                    entity: (rng.below(2) == 0).then(|| "e1".to_owned()),
                    confidence: [0.5, 1.5, f32::NAN][rng.below(3) as usize],
                });
            }
            for _ in 0..rng.below(4) {
                let mut fields = vec![("n".to_owned(), random_value(&mut rng))];
                if rng.below(3) == 0 {
                    fields.push((
                        ["s", "t", "n"][rng.below(3) as usize].to_owned(),
                        random_value(&mut rng),
                    ));
                }
                let target = match rng.below(4) {
                    0 => Target::Mention(rng.below(4) as u32),
                    1 => Target::Fact(rng.below(4) as u32),
                    2 => Target::Entity(rng.pick(&["e1", "e2", "e3"]).into()),
                    _ => Target::Literal(random_value(&mut rng)),
                };
                batch.facts.push(Fact {
                    kind: ["k", "k", "nope"][rng.below(3) as usize].to_owned(),
                    span: span(&mut rng),
                    fields,
                    args: (0..rng.below(2))
                        .map(|_| Arg {
                            role: ["r", "q"][rng.below(2) as usize].into(),
                            target: target.clone(),
                        })
                        .collect(),
                    confidence: [0.0, 0.9, 1.0, -1.0, f32::INFINITY][rng.below(5) as usize],
                });
            }
            for _ in 0..rng.below(3) {
                batch.entities.push(rng.entity());
            }
            let kinds = Kinds::new(&manifest.mention_types, &manifest.entity_kinds).expect("kinds");
            if let Ok(extraction) =
                validate(&manifest, &kinds, &schema, &extractor(), &article, batch, &|id| {
                    id == "e2"
                })
            {
                accepted += 1;
                for fact in &extraction.facts {
                    fact.provenance.span.check(&article.text).expect("accepted spans fit");
                    let roles = fact.args.iter().map(|arg| arg.role.as_str());
                    schema.check(&fact.kind, &fact.fields, roles).expect("accepted facts fit");
                    assert!((0.0..=1.0).contains(&fact.provenance.confidence));
                }
                for entity in &extraction.entities {
                    assert!(factql_model::ENTITY_KINDS.contains(&entity.kind.as_str()));
                }
            }
        }
        assert!(accepted > 100, "the generator also makes valid batches ({accepted})");
    }

    /// Random bytes never decode into something that panics the host.
    #[test]
    fn random_bytes_are_rejected_cleanly() {
        let article = article();
        let (manifest, schema) = manifest();
        let mut rng = Rng(42);
        for _ in 0..20_000 {
            let bytes: Vec<u8> = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
            if let Ok(batch) = factql_plugin_sdk::wire::decode::<Batch>(&bytes) {
                let kinds = Kinds::new(&manifest.mention_types, &[]).expect("kinds");
                let _ =
                    validate(&manifest, &kinds, &schema, &extractor(), &article, batch, &|_| false);
            }
        }
    }
}
