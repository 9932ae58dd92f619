//! Bytes to text: byte-order marks, UTF-8, legacy single-byte encodings, and the inputs that
//! are not text at all.
//!
//! The rule that tells a legacy file from a damaged one: a file that holds *some* valid
//! multi-byte UTF-8 was meant to be UTF-8, so an invalid byte in it is damage and the file is
//! refused with the line and byte. A file with high bytes but no valid multi-byte sequence is
//! taken as a legacy encoding, detected with chardetng and converted with encoding_rs.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

use crate::ErrorKind;

/// Decodes one input to text. `html` lets a `<meta charset>` name the legacy encoding.
pub(crate) fn decode(bytes: &[u8], html: bool) -> Result<String, ErrorKind> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        if encoding == UTF_8 {
            return utf8(body, bom_len);
        }
        if encoding == UTF_16LE || encoding == UTF_16BE {
            let (text, had_errors) = encoding.decode_without_bom_handling(body);
            if had_errors {
                return Err(ErrorKind::Record(format!("invalid {} text", encoding.name())));
            }
            return non_empty(text.into_owned());
        }
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ErrorKind::Empty);
    }
    if let Some(offset) = binary_offset(bytes) {
        return Err(ErrorKind::Binary { offset });
    }
    match utf8(bytes, 0) {
        Err(ErrorKind::InvalidUtf8 { .. }) if !has_multibyte_utf8(bytes) => {
            let encoding = html.then(|| declared_charset(bytes)).flatten().unwrap_or_else(|| {
                let mut detector =
                    chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
                detector.feed(bytes, true);
                detector.guess(None, chardetng::Utf8Detection::Deny)
            });
            let (text, _, _) = encoding.decode(bytes);
            non_empty(text.into_owned())
        }
        other => other,
    }
}

fn utf8(bytes: &[u8], base: usize) -> Result<String, ErrorKind> {
    match std::str::from_utf8(bytes) {
        Ok(text) => non_empty(text.to_owned()),
        Err(err) => {
            let offset = err.valid_up_to();
            let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
            Err(ErrorKind::InvalidUtf8 { line, offset: base + offset })
        }
    }
}

fn non_empty(text: String) -> Result<String, ErrorKind> {
    if text.trim().is_empty() { Err(ErrorKind::Empty) } else { Ok(text) }
}

/// The offset of the first byte that marks the input as binary: a NUL, or the point where
/// control characters (other than tab, line feed, form feed and carriage return) pass 10% of
/// the first 8 KiB.
fn binary_offset(bytes: &[u8]) -> Option<usize> {
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Some(offset);
    }
    let head = &bytes[..bytes.len().min(8192)];
    let is_control = |b: u8| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c) || b == 0x7f;
    let controls = head.iter().filter(|&&b| is_control(b)).count();
    if controls * 10 > head.len() { head.iter().position(|&b| is_control(b)) } else { None }
}

/// True when `bytes` holds at least one well-formed multi-byte UTF-8 sequence.
fn has_multibyte_utf8(bytes: &[u8]) -> bool {
    bytes.utf8_chunks().any(|chunk| chunk.valid().bytes().any(|b| b >= 0x80))
}

/// The encoding named by `<meta charset=...>` or `content="...; charset=..."` near the top.
fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let label: String = head[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    Encoding::for_label(label.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode("Orbán".as_bytes(), false).unwrap(), "Orbán");
        assert_eq!(decode(b"\xEF\xBB\xBFhello", false).unwrap(), "hello");
    }

    #[test]
    fn utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Szijjártó".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&bytes, false).unwrap(), "Szijjártó");
    }

    #[test]
    fn legacy_latin_text_is_converted() {
        // "Orbán visits Café Zürich" in Windows-1252: single high bytes, no UTF-8 sequence.
        let bytes = b"Orb\xe1n visits Caf\xe9 Z\xfcrich and meets the minister of r\xe9sum\xe9s.";
        assert_eq!(
            decode(bytes, false).unwrap(),
            "Orbán visits Café Zürich and meets the minister of résumés."
        );
    }

    #[test]
    fn html_meta_charset_names_the_legacy_encoding() {
        let page = b"<html><head><meta charset=\"iso-8859-2\"></head><body>Szijj\xe1rt\xf3 \xb3</body></html>";
        assert!(decode(page, true).unwrap().contains("Szijjártó ł"));
    }

    #[test]
    fn damaged_utf8_names_line_and_byte() {
        let bytes = b"Lukashenko\xe2\x80\x99s line one\nline two \xff here";
        match decode(bytes, false) {
            Err(ErrorKind::InvalidUtf8 { line, offset }) => assert_eq!((line, offset), (2, 33)),
            other => panic!("expected InvalidUtf8, got {other:?}"),
        }
    }

    #[test]
    fn empty_and_binary_inputs_are_refused() {
        assert!(matches!(decode(b"", false), Err(ErrorKind::Empty)));
        assert!(matches!(decode(b" \n\t\n", false), Err(ErrorKind::Empty)));
        assert!(matches!(
            decode(b"PK\x03\x04\x00\x00", false),
            Err(ErrorKind::Binary { offset: 4 })
        ));
        let controls: Vec<u8> = (0u8..32).cycle().take(200).filter(|&b| b != 0).collect();
        assert!(matches!(decode(&controls, false), Err(ErrorKind::Binary { .. })));
    }
}
