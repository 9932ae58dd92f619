//! Run-time values of the engine: scalars, dates as day intervals, references to stored rows,
//! lists and records.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

pub(crate) use factql_model::{civil_from_days, days_from_civil, days_in_month};

/// A reference to a row of the loaded data; following it reads that row's fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ref {
    /// An article, by position.
    Article(u32),
    /// A sentence, by global position.
    Sentence(u32),
    /// A mention, by position.
    Mention(u32),
    /// An entity, by position.
    Entity(u32),
    /// A fact: kind table and position in it.
    Fact(u16, u32),
}

/// Granularity of a date: what a partial date like `2022-03` stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Precision {
    /// A whole year.
    Year,
    /// A whole month.
    Month,
    /// One day.
    Day,
    /// An interval between two dates (a term of office); open ends reach far out.
    Interval,
}

/// A date as the half-open interval of days `[start, end)` it covers, counted from
/// 1970-01-01; `2022` is the whole year, `2022-03-15` one day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateRange {
    /// First day.
    pub start: i32,
    /// One past the last day.
    pub end: i32,
    /// How it was written (and how it prints).
    pub precision: Precision,
}

impl DateRange {
    /// The interval of a partial date; `None` for an impossible date.
    pub fn from_parts(year: i32, month: Option<u32>, day: Option<u32>) -> Option<DateRange> {
        match (month, day) {
            (None, _) => Some(DateRange {
                start: days_from_civil(year, 1, 1),
                end: days_from_civil(year + 1, 1, 1),
                precision: Precision::Year,
            }),
            (Some(month), None) if (1..=12).contains(&month) => {
                let (next_year, next_month) =
                    if month == 12 { (year + 1, 1) } else { (year, month + 1) };
                Some(DateRange {
                    start: days_from_civil(year, month, 1),
                    end: days_from_civil(next_year, next_month, 1),
                    precision: Precision::Month,
                })
            }
            (Some(month), Some(day))
                if (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month) =>
            {
                let start = days_from_civil(year, month, day);
                Some(DateRange { start, end: start + 1, precision: Precision::Day })
            }
            _ => None,
        }
    }

    /// Parses partial ISO 8601 (`2022`, `2022-03`, `2022-03-15`, or a timestamp, whose day is
    /// taken).
    pub fn parse(text: &str) -> Option<DateRange> {
        let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<u32>().ok();
        let year = number(0..4)? as i32;
        if text.len() == 4 {
            return DateRange::from_parts(year, None, None);
        }
        let month = number(5..7)?;
        if text.len() == 7 {
            return DateRange::from_parts(year, Some(month), None);
        }
        DateRange::from_parts(year, Some(month), Some(number(8..10)?))
    }

    /// The interval from the start of `from` to the end of `to`; a missing end is open.
    pub fn between(from: Option<DateRange>, to: Option<DateRange>) -> DateRange {
        DateRange {
            start: from.map_or(OPEN_START, |d| d.start),
            end: to.map_or(OPEN_END, |d| d.end),
            precision: Precision::Interval,
        }
    }

    /// True when `other` lies inside this interval.
    pub fn contains(self, other: DateRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The (year, month, day) of the first day.
    pub fn civil(self) -> (i32, u32, u32) {
        civil_from_days(self.start)
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.civil();
        match self.precision {
            Precision::Year => write!(f, "{year:04}"),
            Precision::Month => write!(f, "{year:04}-{month:02}"),
            Precision::Day => write!(f, "{year:04}-{month:02}-{day:02}"),
            Precision::Interval => {
                let day = |days: i32| {
                    let (y, m, d) = civil_from_days(days);
                    format!("{y:04}-{m:02}-{d:02}")
                };
                let from = if self.start <= OPEN_START { String::new() } else { day(self.start) };
                let to = if self.end >= OPEN_END { String::new() } else { day(self.end - 1) };
                write!(f, "{from}..{to}")
            }
        }
    }
}

/// The start of an interval open to the past.
const OPEN_START: i32 = -100_000_000;
/// The end of an interval open to the future.
const OPEN_END: i32 = 100_000_000;

/// A value during query execution.
#[derive(Clone, Debug)]
pub enum Val {
    /// Missing.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// Text.
    Str(Arc<str>),
    /// A date interval.
    Date(DateRange),
    /// A calendar duration: amount and unit (`d`, `w`, `mo`, `y`).
    Duration(u64, factql_syntax::DurationUnit),
    /// A stored row.
    Ref(Ref),
    /// A list.
    List(Arc<[Val]>),
    /// A co-occurrence record bound by a `near` edge.
    Cooc(Cooc),
}

/// Where two things occur together: the article, the sentence of the first, and how many
/// words apart they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cooc {
    /// The article.
    pub article: u32,
    /// The sentence (global position) of the occurrence the edge started from.
    pub sentence: u32,
    /// Distance in words.
    pub distance: u32,
}

impl Val {
    /// Text value.
    pub fn str(text: &str) -> Val {
        Val::Str(Arc::from(text))
    }

    /// True for `Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Val::Null)
    }

    /// The truth of a value in `where`: only `true` passes.
    pub fn truthy(&self) -> bool {
        matches!(self, Val::Bool(true))
    }

    /// A number as f64, if it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Val::Int(n) => Some(*n as f64),
            Val::Float(x) => Some(*x),
            _ => None,
        }
    }

    /// Total order used by `sort`, `top`, `min` and `max`: nulls first, then by type, then
    /// by value (dates by start, then end).
    pub fn total_cmp(&self, other: &Val) -> Ordering {
        use Val::*;
        match (self, other) {
            (Null, Null) => Ordering::Equal,
            (Null, _) => Ordering::Less,
            (_, Null) => Ordering::Greater,
            (Bool(a), Bool(b)) => a.cmp(b),
            (Int(a), Int(b)) => a.cmp(b),
            (Int(_) | Float(_), Int(_) | Float(_)) => {
                self.as_f64().unwrap_or(0.0).total_cmp(&other.as_f64().unwrap_or(0.0))
            }
            // Short texts are shared copies, so equal ones are often the same pointer.
            (Str(a), Str(b)) if Arc::ptr_eq(a, b) => Ordering::Equal,
            (Str(a), Str(b)) => a.cmp(b),
            (Date(a), Date(b)) => (a.start, a.end).cmp(&(b.start, b.end)),
            (Duration(a, u), Duration(b, v)) => (*u as u8, a).cmp(&(*v as u8, b)),
            (Ref(a), Ref(b)) => a.cmp(b),
            (List(a), List(b)) => {
                for (x, y) in a.iter().zip(b.iter()) {
                    let ord = x.total_cmp(y);
                    if ord != Ordering::Equal {
                        return ord;
                    }
                }
                a.len().cmp(&b.len())
            }
            (Cooc(a), Cooc(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Val::Null => 0,
            Val::Bool(_) => 1,
            Val::Int(_) | Val::Float(_) => 2,
            Val::Str(_) => 3,
            Val::Date(_) => 4,
            Val::Duration(..) => 5,
            Val::Ref(_) => 6,
            Val::List(_) => 7,
            Val::Cooc(_) => 8,
        }
    }

    /// Whether two values are equal under [`Val::total_cmp`], with the common cases (dates,
    /// shared texts, references, integers) decided without the full comparison.
    pub(crate) fn same(&self, other: &Val) -> bool {
        match (self, other) {
            (Val::Date(a), Val::Date(b)) => a.start == b.start && a.end == b.end,
            (Val::Str(a), Val::Str(b)) => Arc::ptr_eq(a, b) || **a == **b,
            (Val::Ref(a), Val::Ref(b)) => a == b,
            (Val::Int(a), Val::Int(b)) => a == b,
            _ => self.total_cmp(other) == Ordering::Equal,
        }
    }

    /// Equality as `==` sees it: numbers across int and float, dates by interval.
    pub fn equals(&self, other: &Val) -> bool {
        self.total_cmp(other) == Ordering::Equal && !(self.is_null() && other.is_null())
    }
}

/// Values that are equal under [`Val::total_cmp`] hash alike, so values can key hash maps
/// (group keys, distinct, joins).
#[derive(Clone, Debug)]
pub struct Key(pub Vec<Val>);

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.0.len() == other.0.len()
            && self.0.iter().zip(&other.0).all(|(a, b)| a.total_cmp(b) == Ordering::Equal)
    }
}

impl Eq for Key {}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for val in &self.0 {
            hash_val(val, state);
        }
    }
}

/// One value as a hash key, equal and hashing as [`Key`] does, without a vector.
#[derive(Clone, Debug)]
pub struct One(pub Val);

impl PartialEq for One {
    fn eq(&self, other: &One) -> bool {
        self.0.total_cmp(&other.0) == Ordering::Equal
    }
}

impl Eq for One {}

impl std::hash::Hash for One {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        hash_val(&self.0, state);
    }
}

/// A fast, non-cryptographic hasher (the multiply-rotate scheme of Firefox and rustc's
/// FxHash) for the engine's internal maps, whose keys come from the loaded data, not from an
/// adversary. It is several times faster than SipHash on the short keys queries hash.
#[derive(Clone, Copy, Default)]
pub(crate) struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_i32(&mut self, value: i32) {
        self.write_u64(u64::from(value as u32));
    }

    fn write_u16(&mut self, value: u16) {
        self.write_u64(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u32(&mut self, value: u32) {
        self.write_u64(u64::from(value));
    }

    fn write_u8(&mut self, value: u8) {
        self.write_u64(u64::from(value));
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// `BuildHasher` for [`FxHasher`].
pub(crate) type FxBuild = std::hash::BuildHasherDefault<FxHasher>;
/// A hash map with [`FxHasher`].
pub(crate) type FxMap<K, V> = std::collections::HashMap<K, V, FxBuild>;
/// A hash set with [`FxHasher`].
pub(crate) type FxSet<K> = std::collections::HashSet<K, FxBuild>;

/// A hash of several values, consistent with [`Key`] equality.
pub(crate) fn hash_val_refs<'v>(vals: impl IntoIterator<Item = &'v Val>) -> u64 {
    use std::hash::Hasher;
    let mut hasher = FxHasher::default();
    for val in vals {
        hash_val(val, &mut hasher);
    }
    hasher.finish()
}

fn hash_val<H: std::hash::Hasher>(val: &Val, state: &mut H) {
    use std::hash::Hash;
    match val {
        Val::Null => 0u8.hash(state),
        Val::Bool(b) => b.hash(state),
        // Integers and integral floats compare equal, so they must hash alike.
        Val::Int(n) => (*n as f64).to_bits().hash(state),
        Val::Float(x) => x.to_bits().hash(state),
        Val::Str(s) => s.hash(state),
        Val::Date(d) => (d.start, d.end).hash(state),
        Val::Duration(n, u) => (*n, *u as u8).hash(state),
        Val::Ref(r) => r.hash(state),
        Val::List(items) => items.iter().for_each(|v| hash_val(v, state)),
        Val::Cooc(c) => c.hash(state),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_are_intervals() {
        let year = DateRange::parse("2022").unwrap();
        let march = DateRange::parse("2022-03").unwrap();
        let day = DateRange::parse("2022-03-15T10:00:00Z").unwrap();
        assert!(year.contains(march) && march.contains(day) && !day.contains(march));
        assert_eq!(
            (year.to_string(), march.to_string(), day.to_string()),
            ("2022".into(), "2022-03".into(), "2022-03-15".into())
        );
        assert_eq!(DateRange::parse("2022-02-30"), None);
        assert_eq!(DateRange::parse("2024-02-29").map(|d| d.end - d.start), Some(1));
    }
}
