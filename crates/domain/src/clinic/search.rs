//! Folding text for patient search, so that what staff type finds what was recorded however it was
//! spelled: `jose` finds `José`, `احمد` finds `أحمد`, `0791234567` finds `079 123-4567`.
//!
//! The stored search text and the query are folded the same way: lowercase; Latin accents removed
//! (NFD, then combining marks dropped); Arabic diacritics (tashkeel, U+064B–U+0652, and the
//! superscript alef U+0670) and tatweel (U+0640) removed; the alef forms أ إ آ ٱ folded to ا, ة to
//! ه, ى to ي; runs of whitespace as one space.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// `text` folded for search.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.nfd() {
        if is_combining_mark(c) || matches!(c, '\u{064B}'..='\u{0652}' | '\u{0670}' | '\u{0640}') {
            continue;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match c {
            // NFD already splits أ إ آ into ا and a combining mark; ٱ (wasla) does not decompose.
            'أ' | 'إ' | 'آ' | 'ٱ' => out.push('ا'),
            'ة' => out.push('ه'),
            'ى' => out.push('ي'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The digits of `text` (a phone number as stored for search).
pub fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// Whether `text` reads as (part of) a phone number: digits, spaces, `+` and `-`, one digit at least.
fn phone_like(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-'))
}

/// The terms a query searches for, each of which must occur in a patient's search text: a query
/// that reads as a phone number is one term, its digits; any other is its folded words. Blank is
/// no term.
pub fn terms(query: &str) -> Vec<String> {
    let query = query.trim();
    if phone_like(query) {
        return vec![digits(query)];
    }
    fold(query)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_table() {
        let cases = [
            ("José", "jose"),
            ("ÑÚÑEZ  Çelik", "nunez celik"),
            ("  Zoë\tO'Brien ", "zoe o'brien"),
            ("أحمد", "احمد"),
            ("إبراهيم", "ابراهيم"),
            ("آمنة", "امنه"),
            ("مُحَمَّد", "محمد"),
            ("مـــريم", "مريم"),
            ("مصطفى", "مصطفي"),
            ("ٱلله", "الله"),
            ("MRN00000042", "mrn00000042"),
        ];
        for (raw, want) in cases {
            assert_eq!(fold(raw), want, "{raw}");
        }
    }

    #[test]
    fn queries_become_terms() {
        assert_eq!(terms("  Jose  NUNEZ "), ["jose", "nunez"]);
        assert_eq!(terms("+962 79-123"), ["96279123"]);
        assert_eq!(terms("أحمد"), ["احمد"]);
        assert!(terms("   ").is_empty());
        assert_eq!(digits("079 123-45"), "07912345");
    }
}
