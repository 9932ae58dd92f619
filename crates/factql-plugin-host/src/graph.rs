//! The dependency graph: who produces the kinds each plugin requires, and a run order.

use std::collections::{BTreeMap, BTreeSet};

use factql_plugin_sdk::wire::Manifest;

use crate::PluginError;

/// A run order (indexes into `manifests`) in which every plugin comes after the producers of
/// the kinds it requires; ties broken by name, so the order is deterministic.
///
/// Errors, all before any article is read: a kind produced by two plugins, a required kind no
/// plugin produces, a cycle.
pub(crate) fn order(manifests: &[&Manifest]) -> Result<Vec<usize>, PluginError> {
    let mut producer: BTreeMap<&str, usize> = BTreeMap::new();
    for (idx, manifest) in manifests.iter().enumerate() {
        for kind in &manifest.produces {
            if let Some(&other) = producer.get(kind.name.as_str()) {
                return Err(PluginError::Graph {
                    plugin: manifest.name.clone(),
                    reason: format!(
                        "kind `{}` is also produced by plugin {}; load only one of them",
                        kind.name, manifests[other].name
                    ),
                });
            }
            producer.insert(&kind.name, idx);
        }
    }
    let mut deps: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); manifests.len()];
    for (idx, manifest) in manifests.iter().enumerate() {
        // A plugin that reads mentions runs after every other plugin that emits them.
        if manifest.reads_mentions {
            deps[idx].extend(
                (0..manifests.len())
                    .filter(|&other| other != idx && !manifests[other].mention_types.is_empty()),
            );
        }
        for kind in &manifest.requires {
            let Some(&from) = producer.get(kind.as_str()) else {
                return Err(PluginError::Graph {
                    plugin: manifest.name.clone(),
                    reason: format!("requires kind `{kind}`, which no loaded plugin produces"),
                });
            };
            deps[idx].insert(from);
        }
    }
    let mut done = vec![false; manifests.len()];
    let mut by_name: Vec<usize> = (0..manifests.len()).collect();
    by_name.sort_by(|a, b| manifests[*a].name.cmp(&manifests[*b].name));
    let mut out = Vec::with_capacity(manifests.len());
    while out.len() < manifests.len() {
        let ready =
            by_name.iter().copied().find(|&idx| !done[idx] && deps[idx].iter().all(|&d| done[d]));
        match ready {
            Some(idx) => {
                done[idx] = true;
                out.push(idx);
            }
            None => {
                // Walk from any remaining plugin along unfinished dependencies until a repeat.
                let mut path = vec![by_name.iter().copied().find(|&idx| !done[idx]).unwrap_or(0)];
                loop {
                    let last = path[path.len() - 1];
                    let next = deps[last].iter().copied().find(|&d| !done[d]).unwrap_or(last);
                    if let Some(pos) = path.iter().position(|&p| p == next) {
                        let cycle: Vec<&str> = path[pos..]
                            .iter()
                            .chain(std::iter::once(&next))
                            .map(|&i| manifests[i].name.as_str())
                            .collect();
                        return Err(PluginError::Graph {
                            plugin: manifests[next].name.clone(),
                            reason: format!("dependency cycle: {}", cycle.join(" requires ")),
                        });
                    }
                    path.push(next);
                }
            }
        }
    }
    Ok(out)
}

/// `name` and every plugin that requires, directly or not, a kind it produces.
pub(crate) fn dependants(manifests: &[&Manifest], name: &str) -> BTreeSet<String> {
    let mut selected: BTreeSet<String> = BTreeSet::from([name.to_owned()]);
    loop {
        let kinds: BTreeSet<&str> = manifests
            .iter()
            .filter(|m| selected.contains(&m.name))
            .flat_map(|m| m.produces.iter().map(|k| k.name.as_str()))
            .collect();
        let emit_mentions =
            manifests.iter().any(|m| selected.contains(&m.name) && !m.mention_types.is_empty());
        let before = selected.len();
        for manifest in manifests {
            if manifest.requires.iter().any(|kind| kinds.contains(kind.as_str()))
                || (emit_mentions && manifest.reads_mentions)
            {
                selected.insert(manifest.name.clone());
            }
        }
        if selected.len() == before {
            return selected;
        }
    }
}

#[cfg(test)]
mod tests {
    use factql_plugin_sdk::wire::KindDecl;

    use super::*;

    fn plugin(name: &str, produces: &[&str], requires: &[&str]) -> Manifest {
        let mut manifest = Manifest::new(name, "1");
        for kind in produces {
            manifest = manifest.produces(KindDecl::new(kind));
        }
        for kind in requires {
            manifest = manifest.requires(kind);
        }
        manifest
    }

    fn check(plugins: &[Manifest]) -> Result<Vec<&str>, String> {
        let refs: Vec<&Manifest> = plugins.iter().collect();
        order(&refs)
            .map(|order| order.into_iter().map(|idx| plugins[idx].name.as_str()).collect())
            .map_err(|err| err.to_string())
    }

    #[test]
    fn providers_run_first_and_ties_go_by_name() {
        let plugins = [
            plugin("role", &["role"], &["person", "org"]),
            plugin("people", &["person"], &[]),
            plugin("orgs", &["org"], &[]),
            plugin("money", &["money"], &[]),
        ];
        assert_eq!(check(&plugins), Ok(vec!["money", "orgs", "people", "role"]));
        let refs: Vec<&Manifest> = plugins.iter().collect();
        assert_eq!(dependants(&refs, "people"), BTreeSet::from(["people".into(), "role".into()]));
        assert_eq!(dependants(&refs, "money"), BTreeSet::from(["money".into()]));
    }

    #[test]
    fn readers_of_mentions_run_after_every_plugin_that_emits_them() {
        let plugins = [
            plugin("aaa-events", &["event"], &[]).reads_mentions(),
            plugin("zzz-entities", &[], &[]).mentions(&["PER"]),
            plugin("money", &["money"], &[]),
        ];
        assert_eq!(check(&plugins), Ok(vec!["money", "zzz-entities", "aaa-events"]));
        let refs: Vec<&Manifest> = plugins.iter().collect();
        assert_eq!(
            dependants(&refs, "zzz-entities"),
            BTreeSet::from(["zzz-entities".into(), "aaa-events".into()])
        );
        assert_eq!(dependants(&refs, "money"), BTreeSet::from(["money".into()]));
    }

    #[test]
    fn missing_providers_cycles_and_double_producers_are_reported() {
        assert_eq!(
            check(&[plugin("role", &["role"], &["person"])]),
            Err("plugin role: requires kind `person`, which no loaded plugin produces".into())
        );
        assert_eq!(
            check(&[
                plugin("a", &["x"], &["y"]),
                plugin("b", &["y"], &["x"]),
                plugin("c", &["z"], &[])
            ]),
            Err("plugin a: dependency cycle: a requires b requires a".into())
        );
        assert_eq!(
            check(&[plugin("a", &["x"], &[]), plugin("b", &["x"], &[])]),
            Err("plugin b: kind `x` is also produced by plugin a; load only one of them".into())
        );
    }
}
