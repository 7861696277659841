//! The two languages every user-facing text exists in.

/// English or Arabic, chosen by the `lang` header.
///
/// Its code (`en`, `ar`, ISO 639-1) is how it is stored and sent to integrations, through
/// [`crate::kernel::code::Code`].
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Ar,
}

impl Lang {
    /// `1` or `ar` (any case) is Arabic; `0`, missing, `en`, or anything else is English.
    pub fn from_header(value: Option<&str>) -> Self {
        match value.map(str::trim) {
            Some(v) if v == "1" || v.eq_ignore_ascii_case("ar") => Lang::Ar,
            _ => Lang::En,
        }
    }

    /// The code echoed back to apps: 0 for English, 1 for Arabic.
    pub fn code(self) -> u8 {
        match self {
            Lang::En => 0,
            Lang::Ar => 1,
        }
    }

    /// Picks the text in this language.
    pub fn pick<'a>(self, en: &'a str, ar: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Ar => ar,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::code::Code;

    #[test]
    fn codes() {
        assert_eq!(Lang::Ar.as_str(), "ar");
        assert_eq!(Lang::from_code("en"), Some(Lang::En));
    }

    #[test]
    fn header_rules() {
        let cases = [
            (None, Lang::En),
            (Some("0"), Lang::En),
            (Some("1"), Lang::Ar),
            (Some("2"), Lang::En),
            (Some("ar"), Lang::Ar),
            (Some("AR"), Lang::Ar),
            (Some(" Ar "), Lang::Ar),
            (Some("en"), Lang::En),
            (Some("EN"), Lang::En),
            (Some("fr"), Lang::En),
            (Some(""), Lang::En),
        ];
        for (header, expected) in cases {
            assert_eq!(
                Lang::from_header(header),
                expected,
                "lang header {header:?}"
            );
        }
    }
}
