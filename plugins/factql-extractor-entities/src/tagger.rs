//! The sequence tagger: a greedy left-to-right averaged perceptron over hashed features.
//!
//! Tags are BIO over PER/LOC/ORG. Each token's features (its folded word and neighbours, shapes,
//! suffix, gazetteer and name-list classes, document-level casing evidence, the previous tag) are
//! hashed into one table of `2^bits` rows of eight `i16` weights, one per tag; a token's score is
//! the sum of its features' rows. The tagger only runs on candidate tokens (capitalised words and
//! the connectors between them, every word of a headline or an all-caps line); all other tokens
//! are `O` without any work, which is what makes it fast.

use crate::model::LoadError;
use crate::text::{
    ALLCAP, ALLDIGIT, ALPHA, CAP, DIGIT, DOT, HYPHEN, LOWER, POSS, PUNCT, Token, hash_bytes,
};

/// Number of tags.
pub const NT: usize = 7;
/// Row width in the weight table (NT rounded up).
pub const STRIDE: usize = 8;
/// The tags, in weight-table column order.
pub const TAGS: [&str; NT] = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"];
/// The most features one token can have.
pub const MAX_FEATS: usize = 64;

/// Sentence case mode: ordinary text.
pub const MODE_NORMAL: u8 = 0;
/// Sentence case mode: Title Case headline.
pub const MODE_TITLE: u8 = 1;
/// Sentence case mode: ALL CAPS.
pub const MODE_CAPS: u8 = 2;

/// Document evidence: the word is written capitalised away from a sentence start elsewhere.
pub const DOC_CAP: u8 = 1;
/// Document evidence: the word is written lower case elsewhere.
pub const DOC_LOWER: u8 = 2;
/// Document evidence: the word was tagged as a name in an earlier sentence (set while tagging).
pub const DOC_NAME: u8 = 4;

/// What the features of a sentence are computed from.
pub struct SentCtx<'a> {
    /// Tokens of the sentence.
    pub toks: &'a [Token],
    /// Hash of each token's folded form.
    pub whash: &'a [u64],
    /// Gazetteer bits per token (see `recognize`).
    pub gaz: &'a [u32],
    /// Name-list class bits per token.
    pub class: &'a [u16],
    /// Document evidence bits per token.
    pub doc: &'a [u8],
    /// The folded suffix (last three bytes) hash per token.
    pub suffix: &'a [u64],
    /// Case mode of the sentence.
    pub mode: u8,
}

#[inline]
fn mix(a: u64, b: u64) -> u64 {
    (a ^ b.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (a >> 31)
}

/// A coarse shape code of a token.
#[inline]
pub fn shape_code(t: &Token) -> u64 {
    let s = t.shape;
    let mut c = 0u64;
    if s & ALLCAP != 0 && s & ALPHA != 0 {
        c = if t.end - t.start <= 1 { 1 } else { 2 };
    } else if s & CAP != 0 {
        c = 3;
    } else if s & LOWER != 0 {
        c = 4;
    }
    if s & ALLDIGIT != 0 {
        c = 5;
    } else if s & DIGIT != 0 {
        c += 8;
    }
    if s & DOT != 0 {
        c += 16;
    }
    if s & HYPHEN != 0 {
        c = 6;
    } else if s & POSS != 0 {
        c = 7;
    } else if s & PUNCT != 0 {
        c = 32;
    }
    c
}

/// The hashed features of token `i` given the previous tag; returns how many were written.
pub fn features(ctx: &SentCtx<'_>, i: usize, prev: usize, out: &mut [u64; MAX_FEATS]) -> usize {
    let n = ctx.toks.len();
    let mut k = 0;
    let mut put = |h: u64| {
        if k < MAX_FEATS {
            out[k] = h;
            k += 1;
        }
    };
    let mode = u64::from(ctx.mode);
    let w = |j: isize| -> u64 {
        if j < 0 {
            0x1111
        } else if j as usize >= n {
            0x2222
        } else {
            ctx.whash[j as usize]
        }
    };
    let sh = |j: isize| -> u64 {
        if j < 0 {
            40
        } else if j as usize >= n {
            41
        } else {
            shape_code(&ctx.toks[j as usize])
        }
    };
    let ii = i as isize;
    let p = prev as u64;
    let s0 = sh(ii) | (mode << 8);
    put(1);
    put(mix(2, w(ii)));
    put(mix(3, w(ii - 1)));
    put(mix(4, w(ii + 1)));
    put(mix(5, w(ii - 2)));
    put(mix(6, w(ii + 2)));
    put(mix(7, s0));
    put(mix(8, sh(ii - 1) | (mode << 8)));
    put(mix(9, sh(ii + 1) | (mode << 8)));
    put(mix(10, ctx.suffix[i]));
    put(mix(11, p));
    put(mix(12, p | (s0 << 8)));
    put(mix(13, mix(p, w(ii))));
    put(mix(14, mix(w(ii - 1), w(ii))));
    put(mix(15, u64::from(i == 0) | (mode << 4)));
    put(mix(16, sh(ii - 1) | (s0 << 8) | (sh(ii + 1) << 16)));
    let g = ctx.gaz[i];
    let mut bits = g;
    while bits != 0 {
        let b = bits.trailing_zeros() as u64;
        bits &= bits - 1;
        put(mix(17, b | (mode << 8)));
        put(mix(18, b | (p << 8)));
    }
    if g == 0 {
        put(mix(19, mode));
    }
    let gp = if i > 0 { ctx.gaz[i - 1] } else { 0 };
    let gn = if i + 1 < n { ctx.gaz[i + 1] } else { 0 };
    put(mix(20, u64::from(gp.count_ones().min(3)) | (u64::from(gn.count_ones().min(3)) << 4)));
    let c = ctx.class[i];
    let mut cb = c;
    while cb != 0 {
        let b = cb.trailing_zeros() as u64;
        cb &= cb - 1;
        put(mix(21, b | (mode << 8)));
        put(mix(22, b | (p << 8)));
    }
    let cp = if i > 0 { ctx.class[i - 1] } else { 0x80 };
    let cn = if i + 1 < n { ctx.class[i + 1] } else { 0x80 };
    put(mix(23, u64::from(cp)));
    put(mix(24, u64::from(cn)));
    put(mix(25, u64::from(c) | (s0 << 8)));
    let d = ctx.doc[i];
    put(mix(26, u64::from(d) | (mode << 8)));
    put(mix(27, u64::from(d) | (u64::from(c) << 8)));
    if i + 1 < n && ctx.toks[i + 1].shape & POSS != 0 {
        put(28);
    }
    put(mix(29, mix(w(ii + 1), w(ii + 2))));
    // how the next and previous words are written elsewhere ("Yevgeny" + "Prigozhin")
    let dn = if i + 1 < n { ctx.doc[i + 1] } else { 0x80 };
    put(mix(
        31,
        u64::from(dn) | (u64::from(d) << 8) | (u64::from(i == 0) << 16) | (u64::from(c & 1) << 17),
    ));

    put(mix(30, u64::from(c) | (u64::from(cn) << 16) | (u64::from(i == 0) << 40)));
    k
}

/// The tagger's weights.
pub struct Tagger {
    bits: u32,
    table: Vec<i16>,
    /// Score units per 1.0 of the averaged float weights.
    scale: f32,
}

const MAGIC: &[u8; 8] = b"FQNER01\0";

impl Tagger {
    /// Reads weights written by [`Tagger::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Tagger, LoadError> {
        if bytes.len() < 16 || &bytes[..8] != MAGIC {
            return Err(LoadError::Weights("bad magic".into()));
        }
        let bits = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
        let scale = f32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]);
        if !(8..=24).contains(&bits) {
            return Err(LoadError::Weights(format!("table bits {bits} out of range")));
        }
        let want = (1usize << bits) * STRIDE;
        let body = &bytes[16..];
        if body.len() != want * 2 {
            return Err(LoadError::Weights(format!(
                "expected {} bytes of weights, found {}",
                want * 2,
                body.len()
            )));
        }
        let table = body.chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect();
        Ok(Tagger { bits, table, scale })
    }

    /// Serialises the weights.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + self.table.len() * 2);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.bits.to_le_bytes());
        out.extend_from_slice(&self.scale.to_le_bytes());
        for w in &self.table {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out
    }

    #[inline]
    fn row(bits: u32, h: u64) -> usize {
        ((h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize) * STRIDE
    }

    /// Scores of the tags for a feature set.
    #[inline]
    pub fn scores(&self, feats: &[u64]) -> [i32; STRIDE] {
        let mut s = [0i32; STRIDE];
        for &h in feats {
            let r = Self::row(self.bits, h);
            let w = &self.table[r..r + STRIDE];
            for t in 0..STRIDE {
                s[t] += i32::from(w[t]);
            }
        }
        s
    }

    /// Margin between best and second score, as a confidence in 0..1.
    pub fn confidence(&self, margin: i32) -> f32 {
        let m = margin as f32 / self.scale;
        1.0 - (-m).exp() * 0.5
    }
}

/// A tag is allowed after the previous one (no `I-X` after anything but `B-X`/`I-X`).
#[inline]
pub fn allowed(prev: usize, t: usize) -> bool {
    if t == 0 || t % 2 == 1 {
        return true;
    }
    prev == t || prev == t - 1
}

/// The best allowed tag and the margin to the runner-up.
#[inline]
pub fn best(scores: &[i32; STRIDE], prev: usize) -> (usize, i32) {
    let mut best = 0;
    let mut bs = i32::MIN;
    let mut second = i32::MIN;
    for (t, &s) in scores.iter().enumerate().take(NT) {
        if !allowed(prev, t) {
            continue;
        }
        if s > bs {
            second = bs;
            bs = s;
            best = t;
        } else if s > second {
            second = s;
        }
    }
    (best, bs.saturating_sub(second))
}

/// Averaged-perceptron training state (float weights, lazily averaged).
pub struct Trainer {
    bits: u32,
    w: Vec<f32>,
    total: Vec<f32>,
    stamp: Vec<u32>,
    /// Number of updates so far (the averaging clock).
    pub clock: u32,
}

impl Trainer {
    /// A zero model with `2^bits` rows.
    pub fn new(bits: u32) -> Trainer {
        let n = (1usize << bits) * STRIDE;
        Trainer { bits, w: vec![0.0; n], total: vec![0.0; n], stamp: vec![0; n], clock: 0 }
    }

    /// Current (not averaged) scores.
    pub fn scores(&self, feats: &[u64]) -> [i32; STRIDE] {
        let mut s = [0f32; STRIDE];
        for &h in feats {
            let r = Tagger::row(self.bits, h);
            for (t, acc) in s.iter_mut().enumerate() {
                *acc += self.w[r + t];
            }
        }
        let mut out = [0i32; STRIDE];
        for t in 0..STRIDE {
            out[t] = (s[t] * 1000.0) as i32;
        }
        out
    }

    fn bump(&mut self, idx: usize, delta: f32) {
        let elapsed = (self.clock - self.stamp[idx]) as f32;
        self.total[idx] += elapsed * self.w[idx];
        self.stamp[idx] = self.clock;
        self.w[idx] += delta;
    }

    /// One perceptron update: reward `gold`, penalise `guess`.
    pub fn update(&mut self, feats: &[u64], gold: usize, guess: usize) {
        self.clock += 1;
        if gold == guess {
            return;
        }
        for &h in feats {
            let r = Tagger::row(self.bits, h);
            self.bump(r + gold, 1.0);
            self.bump(r + guess, -1.0);
        }
    }

    /// The averaged weights, quantised to `i16`.
    pub fn finish(mut self) -> Tagger {
        let clock = self.clock.max(1);
        let mut avg = vec![0f32; self.w.len()];
        for (i, a) in avg.iter_mut().enumerate() {
            let elapsed = (clock - self.stamp[i]) as f32;
            self.total[i] += elapsed * self.w[i];
            *a = self.total[i] / clock as f32;
        }
        let max = avg.iter().fold(0f32, |m, &x| m.max(x.abs())).max(1e-9);
        let scale = 32000.0 / max;
        let table = avg.iter().map(|&x| (x * scale).round() as i16).collect();
        Tagger { bits: self.bits, table, scale }
    }
}

/// Stable hash of a folded word.
#[inline]
pub fn word_hash(folded: &str) -> u64 {
    word_hash_bytes(folded.as_bytes())
}

/// [`word_hash`] of raw bytes.
#[inline]
pub fn word_hash_bytes(folded: &[u8]) -> u64 {
    hash_bytes(0x5eed, folded)
}

/// Hash of the last three bytes of a folded word (its suffix feature).
#[inline]
pub fn suffix_hash(folded: &str) -> u64 {
    let b = folded.as_bytes();
    hash_bytes(0x5aff, &b[b.len().saturating_sub(3)..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i_tags_only_continue_their_own_label() {
        assert!(allowed(1, 2));
        assert!(allowed(2, 2));
        assert!(!allowed(0, 2));
        assert!(!allowed(3, 2));
        assert!(allowed(4, 5));
    }

    #[test]
    fn weights_round_trip() {
        let mut tr = Trainer::new(8);
        tr.update(&[1, 2, 3], 1, 0);
        // averaging counts the steps a weight lived: a few correct steps after the update
        for _ in 0..3 {
            tr.update(&[1, 2, 3], 1, 1);
        }
        let t = tr.finish();
        let back = Tagger::from_bytes(&t.to_bytes()).expect("round trip");
        assert_eq!(back.scores(&[1, 2, 3]), t.scores(&[1, 2, 3]));
        assert!(back.scores(&[1, 2, 3])[1] > back.scores(&[1, 2, 3])[0]);
    }
}
