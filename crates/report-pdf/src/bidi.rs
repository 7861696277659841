//! Keeping numbers, dates and ids in their order inside Arabic text.
//!
//! In a right-to-left paragraph, digits that follow Arabic letters become "Arabic numbers" for the
//! Unicode bidirectional algorithm, and a hyphen between two of them does not join them: a date
//! written `2026-11-27` after an Arabic word is shown `27-11-2026`. Wrapping each such token in a
//! left-to-right isolate (U+2066 … U+2069) makes it one left-to-right unit. The marks are invisible;
//! like a word processor's, they stay in the PDF's text, around the token (a search for the date
//! still finds it).

const LRI: char = '\u{2066}';
const PDI: char = '\u{2069}';

/// Characters that may join the parts of one token: `2026-11-27`, `14:30`, `120/80`, `7.5`, `SO-42`.
fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '/' | '.' | ':' | ',' | '+' | '_')
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || is_joiner(c)
}

/// Wraps every token of ASCII letters, digits and joiners that holds a digit in LRI … PDI.
/// Joiners at a token's ends stay outside it (a full stop after a number).
pub(crate) fn isolate_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphanumeric()) {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        let run_len = from.find(|c: char| !is_token_char(c)).unwrap_or(from.len());
        let (run, after) = from.split_at(run_len);
        // `run` starts with a letter or digit; trailing joiners are punctuation, not the token.
        let token = run.trim_end_matches(is_joiner);
        let tail = &run[token.len()..];
        if token.bytes().any(|b| b.is_ascii_digit()) {
            out.push(LRI);
            out.push_str(token);
            out.push(PDI);
        } else {
            out.push_str(token);
        }
        out.push_str(tail);
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Whether a paragraph reads left to right by its first strong letter, as a browser decides for
/// `dir="auto"`: a doctor may write their opinion in English inside an Arabic report.
pub(crate) fn reads_left_to_right(text: &str) -> bool {
    text.chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(|c| !is_right_to_left(c))
}

/// Hebrew, Arabic, Syriac, Thaana, NKo and the Arabic presentation forms.
fn is_right_to_left(c: char) -> bool {
    matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        let got = isolate_numbers(input).replace(LRI, "<").replace(PDI, ">");
        assert_eq!(got, expected, "isolating {input:?}");
    }

    #[test]
    fn tokens_with_digits_are_isolated() {
        check("", "");
        check("بدون أرقام", "بدون أرقام");
        check("بتاريخ 2026-11-27.", "بتاريخ <2026-11-27>.");
        check("SO-2026-00042", "<SO-2026-00042>");
        check("ضغط 120/80 ونبض 72", "ضغط <120/80> ونبض <72>");
        check("Metformin 500 mg", "Metformin <500> mg");
        check("HbA1c: 7.2%", "<HbA1c>: <7.2>%");
        check("من 5-10 ملغ، ثم", "من <5-10> ملغ، ثم");
        check("-5", "-<5>");
        check("د. سارة", "د. سارة");
        check("mg/dL", "mg/dL");
    }

    #[test]
    fn a_paragraph_reads_as_its_first_letter() {
        assert!(reads_left_to_right("Stable angina; continue treatment."));
        assert!(reads_left_to_right("120/80: normal."));
        assert!(!reads_left_to_right("الذبحة المستقرة؛ استمر في العلاج."));
        assert!(!reads_left_to_right("2026: يستمر العلاج with Metformin"));
        assert!(!reads_left_to_right("..."));
    }

    #[test]
    fn text_other_than_marks_is_unchanged() {
        for s in ["a # * $ [ ] \\ < @ 1", "٢٠٢٦ مع 3 و٤ 5", "x\ny 2\n"] {
            let stripped: String = isolate_numbers(s)
                .chars()
                .filter(|c| *c != LRI && *c != PDI)
                .collect();
            assert_eq!(stripped, s);
        }
    }
}
