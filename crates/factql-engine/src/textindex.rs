//! The word index of article texts, for `has` and the terms of `near`: each folded word
//! (a run of letters and digits of the text after [`factql_model::fold`], exactly the words
//! `has` compares) → the articles whose text contains it, ascending.
//!
//! The words are the keys of an [`fst::Map`] whose value is the word's number; posting
//! lists are the article numbers of each word, delta-coded as LEB128 varints in one byte
//! vector, decoded only for the words a query asks for. The index only narrows: a query
//! still tests every article it yields with the exact `has` rule, so the index gives a
//! superset (for a phrase, the articles holding all its words) and the result is the
//! scan's.

use std::collections::HashMap;

use fst::{Map, MapBuilder};

use crate::mapped::Bytes;
use crate::words::words;

/// Folded word → articles containing it. Its parts are bytes (owned, or read in place from
/// the image), so opening an image's index copies nothing.
pub(crate) struct TextIndex {
    /// Word → its number.
    pub(crate) map: Map<Bytes>,
    /// Little-endian `u64`s: word `w`'s postings are `postings[offsets[w]..offsets[w + 1]]`.
    pub(crate) offsets: Bytes,
    /// Delta-coded varint article numbers.
    pub(crate) postings: Bytes,
    /// How many articles there are: a posting past them (a damaged image) is refused when
    /// its list is read.
    pub(crate) articles: u32,
}

/// Why an index could not be assembled from its parts (a damaged image).
#[derive(Debug)]
pub(crate) struct BadIndex(pub(crate) String);

impl TextIndex {
    /// Indexes the texts, article `i` being `texts[i]`.
    pub(crate) fn build<'t>(texts: impl Iterator<Item = &'t str>) -> TextIndex {
        let mut articles = 0u32;
        let mut lists: HashMap<String, Vec<u32>> = HashMap::new();
        for (article, text) in texts.enumerate() {
            let article = article as u32;
            articles = article + 1;
            let folded = factql_model::fold(text);
            for word in words(&folded) {
                match lists.get_mut(word) {
                    Some(list) => {
                        if list.last() != Some(&article) {
                            list.push(article);
                        }
                    }
                    None => {
                        lists.insert(word.to_owned(), vec![article]);
                    }
                }
            }
        }
        let mut entries: Vec<(String, Vec<u32>)> = lists.into_iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut builder = MapBuilder::memory();
        let mut offsets = Vec::with_capacity(entries.len() + 1);
        let mut postings = Vec::new();
        offsets.push(0);
        for (number, (word, list)) in entries.iter().enumerate() {
            // Keys are distinct and sorted, so insertion cannot fail.
            if builder.insert(word, number as u64).is_err() {
                continue;
            }
            let mut previous = 0u32;
            for &article in list {
                push_varint(&mut postings, article - previous);
                previous = article;
            }
            offsets.push(postings.len() as u64);
        }
        let map = Map::new(Bytes::Owned(builder.into_inner().unwrap_or_default()))
            .unwrap_or_else(|_| empty_map());
        let offsets = offsets.iter().flat_map(|o: &u64| o.to_le_bytes()).collect();
        TextIndex {
            map,
            offsets: Bytes::Owned(offsets),
            postings: Bytes::Owned(postings),
            articles,
        }
    }

    /// Reassembles an index from an image's parts, checking them: the map's checksum, one
    /// offset per word plus one, ascending, inside the postings. Each list is checked when
    /// it is read (a bad one reads as empty), so opening costs nothing per posting.
    pub(crate) fn from_parts(
        map: Bytes,
        offsets: Bytes,
        postings: Bytes,
        articles: usize,
    ) -> Result<TextIndex, BadIndex> {
        let map = Map::new(map).map_err(|err| BadIndex(format!("word map: {err}")))?;
        map.as_fst().verify().map_err(|err| BadIndex(format!("word map: {err}")))?;
        let values: Vec<u64> = offsets
            .as_ref()
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect();
        if offsets.as_ref().len() % 8 != 0
            || values.len() != map.len() + 1
            || values.first() != Some(&0)
            || values.last() != Some(&(postings.as_ref().len() as u64))
            || values.windows(2).any(|w| w[0] > w[1])
        {
            return Err(BadIndex("word postings: offsets do not fit".into()));
        }
        let articles = u32::try_from(articles).map_err(|_| BadIndex("too many articles".into()))?;
        Ok(TextIndex { map, offsets, postings, articles })
    }

    /// The postings of word number `w`; `None` when they do not decode, overflow or name
    /// an article past the last.
    fn list(&self, w: usize) -> Option<Vec<u32>> {
        let (start, end) = (self.offset(w)?, self.offset(w + 1)?);
        let bytes = self.postings.as_ref().get(start as usize..end as usize)?;
        let mut out = Vec::new();
        let mut current = 0u32;
        let mut value = 0u32;
        let mut shift = 0u32;
        for &byte in bytes {
            if shift > 28 {
                return None;
            }
            value |= u32::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                current = current.checked_add(value)?;
                out.push(current);
                value = 0;
                shift = 0;
            } else {
                shift += 7;
            }
        }
        (shift == 0 && out.last().is_none_or(|&a| a < self.articles)).then_some(out)
    }

    /// Offset `w` of the postings.
    fn offset(&self, w: usize) -> Option<u64> {
        let bytes = self.offsets.as_ref().get(w * 8..w * 8 + 8)?;
        Some(u64::from_le_bytes(bytes.try_into().ok()?))
    }

    /// The articles whose folded text has `word` (already folded) as a whole word.
    pub(crate) fn articles_with(&self, word: &str) -> Vec<u32> {
        self.map.get(word).and_then(|w| self.list(w as usize)).unwrap_or_default()
    }

    /// The articles that can hold the folded `term` (one or more words): those holding
    /// every word of it. An empty term is in no article.
    pub(crate) fn articles_with_term(&self, term: &str) -> Vec<u32> {
        let mut found: Option<Vec<u32>> = None;
        for word in words(term) {
            let list = self.articles_with(word);
            found = Some(match found {
                None => list,
                Some(previous) => intersect(&previous, &list),
            });
            if found.as_ref().is_some_and(Vec::is_empty) {
                break;
            }
        }
        found.unwrap_or_default()
    }

    /// The articles that can pass `has` with `terms` (`all` of them, or any).
    pub(crate) fn candidates(&self, terms: &[String], all: bool) -> Vec<u32> {
        let mut lists = terms.iter().map(|term| self.articles_with_term(term));
        if all {
            let first = lists.next().unwrap_or_default();
            lists.fold(first, |acc, list| intersect(&acc, &list))
        } else {
            let mut union: Vec<u32> = lists.flatten().collect();
            union.sort_unstable();
            union.dedup();
            union
        }
    }
}

impl Default for TextIndex {
    fn default() -> TextIndex {
        TextIndex::build(std::iter::empty())
    }
}

/// An empty map (for an index of no words).
fn empty_map() -> Map<Bytes> {
    let bytes = Map::<Vec<u8>>::default().into_fst().into_inner();
    match Map::new(Bytes::Owned(bytes)) {
        Ok(map) => map,
        Err(_) => unreachable!("the bytes of an empty map are a map"),
    }
}

/// The elements of two ascending lists that are in both.
fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn push_varint(out: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_found_folded_whole_and_phrases_by_all_their_words() {
        let texts = ["Sanctions on Minsk.", "No SANCTIONS, said Orbán.", "sanctioned", "x"];
        let index = TextIndex::build(texts.iter().copied());
        assert_eq!(index.articles_with("sanctions"), [0, 1]);
        assert_eq!(index.articles_with("orban"), [1]);
        assert_eq!(index.articles_with("sanction"), Vec::<u32>::new());
        assert_eq!(index.articles_with_term("said orban"), [1]);
        assert_eq!(index.candidates(&["minsk".into(), "orban".into()], false), [0, 1]);
        assert_eq!(index.candidates(&["minsk".into(), "orban".into()], true), Vec::<u32>::new());
        let parts = |index: &TextIndex| {
            (
                Bytes::Owned(index.map.as_fst().as_bytes().to_vec()),
                Bytes::Owned(index.offsets.as_ref().to_vec()),
                Bytes::Owned(index.postings.as_ref().to_vec()),
            )
        };
        let (map, offsets, postings) = parts(&index);
        let again = TextIndex::from_parts(map, offsets, postings, texts.len())
            .expect("parts of a good index");
        assert_eq!(again.articles_with("sanctions"), [0, 1]);
        // Postings naming an article past the end read as nothing.
        let (map, offsets, postings) = parts(&index);
        let short = TextIndex::from_parts(map, offsets, postings, 1).expect("the parts fit");
        assert_eq!(short.articles_with("sanctions"), Vec::<u32>::new());
        assert_eq!(short.articles_with("minsk"), [0]);
        // Offsets that do not fit the postings are refused.
        let (map, offsets, postings) = parts(&index);
        let mut offsets = offsets.as_ref().to_vec();
        offsets.truncate(offsets.len() - 8);
        let bad = TextIndex::from_parts(map, Bytes::Owned(offsets), postings, 4);
        assert!(bad.is_err());
    }
}
