//! Fuzz target: `parse` never panics, spans stay inside the input on char
//! boundaries, and an input without errors round-trips through `Display`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = factql_syntax::parse(src);
    for error in &parsed.errors {
        let span = error.span;
        assert!(span.start <= span.end && span.end <= src.len());
        assert!(src.is_char_boundary(span.start) && src.is_char_boundary(span.end));
        let _ = error.to_string();
    }
    let printed = parsed.script.to_string();
    if parsed.errors.is_empty() {
        let reparsed = factql_syntax::parse(&printed);
        assert!(reparsed.errors.is_empty(), "{src:?} printed as {printed:?}");
        assert_eq!(
            reparsed.script, parsed.script,
            "{src:?} printed as {printed:?}"
        );
        assert_eq!(reparsed.script.to_string(), printed);
    }
});
