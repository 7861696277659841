//! Enums that travel as short codes (`draft`, `snr_usr`, `case_submitted`).
//!
//! Each such enum derives its text form (`strum::IntoStaticStr`, snake case) and its list of
//! variants (`strum::VariantArray`); [`Code`] gives every one of them `as_str`, `from_code` and the
//! client-facing parse, so that no enum writes its mapping by hand.

use strum::VariantArray;

use super::text::{Arg, Key, Text};
use crate::{Error, FieldError, Result};

/// An enum with a fixed text code per variant.
pub trait Code: Sized + Copy + Into<&'static str> + VariantArray + 'static {
    /// The variant's code, as stored and sent.
    fn as_str(self) -> &'static str {
        self.into()
    }

    /// The variant with this code.
    fn from_code(raw: &str) -> Option<Self> {
        Self::VARIANTS.iter().copied().find(|v| v.as_str() == raw)
    }

    /// Every code, in declaration order.
    fn codes() -> Vec<&'static str> {
        Self::VARIANTS.iter().map(|v| v.as_str()).collect()
    }

    /// Parses what a client sent in `field`; anything else is a validation error listing the codes.
    fn parse_field(field: &str, raw: &str) -> Result<Self> {
        Self::from_code(raw).ok_or_else(|| choice_error::<Self>(field))
    }

    /// Reads a code written by [`Code::as_str`]; anything else means the stored row is corrupt.
    /// `what` names the value in that report, and is written out only for it.
    fn from_stored(what: &dyn std::fmt::Display, raw: &str) -> Result<Self> {
        Self::from_code(raw)
            .ok_or_else(|| Error::internal(format!("stored {what} {raw:?} is not a known code")))
    }
}

impl<T> Code for T where T: Sized + Copy + Into<&'static str> + VariantArray + 'static {}

/// "`field` must be one of the codes of `T`".
pub fn choice_error<T: Code>(field: &str) -> Error {
    choice_error_of(field, &T::codes())
}

/// "`field` must be one of `choices`".
pub fn choice_error_of(field: &str, choices: &[&str]) -> Error {
    Error::field(FieldError::new(
        field,
        "one_of",
        Text::new(Key::InvalidChoice).field("field", field).with(
            "choices",
            Arg::Choices(choices.iter().map(|c| (*c).to_owned()).collect()),
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, strum::IntoStaticStr, strum::VariantArray)]
    #[strum(serialize_all = "snake_case")]
    enum Colour {
        DeepRed,
        Blue,
    }

    #[test]
    fn codes_round_trip() {
        assert_eq!(Colour::DeepRed.as_str(), "deep_red");
        assert_eq!(Colour::from_code("blue"), Some(Colour::Blue));
        assert_eq!(Colour::from_code("Blue"), None);
        assert_eq!(Colour::codes(), ["deep_red", "blue"]);
        let err = Colour::parse_field("colour", "green").unwrap_err();
        assert!(matches!(err, Error::Validation(f) if f[0].rule == "one_of"));
        assert!(matches!(
            Colour::from_stored(&"colour", "x"),
            Err(Error::Internal(_))
        ));
    }
}
