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

/// The shortest run of a phone's digits indexed on its own (see [`phone_terms`]).
pub const PHONE_RUN_MIN: usize = 4;

/// The words `text` is found by: each folded word, and when punctuation joins pieces of a word
/// (`al-hassan`, `o'brien`, `ab-99`), each piece too, so that `hassan` and `brien` find them.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in fold(text).split(' ').filter(|w| !w.is_empty()) {
        out.push(word.to_owned());
        let pieces: Vec<&str> = word
            .split(|c: char| !c.is_alphanumeric())
            .filter(|p| !p.is_empty())
            .collect();
        if pieces.len() > 1 || pieces.first().is_some_and(|p| *p != word) {
            out.extend(pieces.into_iter().map(str::to_owned));
        }
    }
    out
}

/// The terms a phone number is found by: its digits from each position to the end, down to
/// [`PHONE_RUN_MIN`] digits. Queries match the start of a term, so a run of digits typed without
/// the country code (`79 123 4567` for `+962 79 123 4567`) still finds the phone.
pub fn phone_terms(phone: &str) -> Vec<String> {
    let digits = digits(phone);
    // Digits are ASCII: every byte offset is a character boundary.
    (0..digits.len())
        .filter(|start| start == &0 || digits.len() - start >= PHONE_RUN_MIN)
        .map(|start| digits[start..].to_owned())
        .collect()
}

/// Whether a patient with search terms `indexed` matches a query's `terms`: each query term is
/// the start of one of the patient's terms. The store answers the same question from its index;
/// this is its definition, for tests and for counting what a load wrote.
pub fn matches(indexed: &[String], terms: &[String]) -> bool {
    terms
        .iter()
        .all(|t| indexed.iter().any(|i| i.starts_with(t.as_str())))
}

/// The terms a query searches for, each of which must start one of a patient's search terms: a
/// query that reads as a phone number is one term, its digits; any other is its folded words.
/// Blank is no term.
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

    #[test]
    fn indexed_words_and_phone_runs() {
        assert_eq!(words("Seán O'Brien"), ["sean", "o'brien", "o", "brien"]);
        assert_eq!(words("عبد الله"), ["عبد", "الله"]);
        assert_eq!(
            phone_terms("+962 79-123"),
            ["96279123", "6279123", "279123", "79123", "9123"]
        );
        assert_eq!(phone_terms("12"), ["12"]);
    }

    /// What finds what: a word's start, in any case or accent, every word of the query.
    #[test]
    fn matching_table() {
        let mut indexed = words("José Núñez");
        indexed.extend(words("خوسيه نونيز"));
        indexed.extend(phone_terms("+962 79 123 4567"));
        let cases = [
            ("jose", true),
            ("NUÑ jo", true),
            ("nunez maria", false),
            ("unez", false),
            ("نون", true),
            ("79 123-4567", true),
            ("0791234567", false),
            ("4567", true),
        ];
        for (query, want) in cases {
            assert_eq!(matches(&indexed, &terms(query)), want, "{query}");
        }
    }
}
