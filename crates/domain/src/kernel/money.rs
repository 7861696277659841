//! Money: integer minor units of an ISO 4217 currency, and exact decimal amounts from clients.
//!
//! No amount ever passes through binary floating point: a client's `900.50` arrives as the text of
//! a JSON number, is read as a [`Decimal`], and becomes `90050` minor units of `USD` only if it fits
//! the currency's minor unit exactly.

use std::fmt;

/// An ISO 4217 alphabetic code: three capital letters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

/// ISO 4217 currencies whose minor unit is not the cent (every other code has two decimals).
const EXPONENTS: &[(&str, u32)] = &[
    ("BHD", 3),
    ("BIF", 0),
    ("CLF", 4),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("PYG", 0),
    ("RWF", 0),
    ("TND", 3),
    ("UGX", 0),
    ("UYI", 0),
    ("UYW", 4),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
];

impl Currency {
    pub const USD: Currency = Currency(*b"USD");

    /// Three ASCII capital letters, or `None`.
    pub fn parse(raw: &str) -> Option<Currency> {
        let bytes: [u8; 3] = raw.as_bytes().try_into().ok()?;
        bytes
            .iter()
            .all(u8::is_ascii_uppercase)
            .then_some(Currency(bytes))
    }

    pub fn as_str(&self) -> &str {
        // Built only from ASCII capitals.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Decimal places of the minor unit: 2 for USD, 3 for KWD, 0 for JPY.
    pub fn exponent(&self) -> u32 {
        EXPONENTS
            .iter()
            .find(|(code, _)| *code == self.as_str())
            .map_or(2, |(_, e)| *e)
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.as_str())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An exact decimal number as a client wrote it: `mantissa × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

/// More digits than any amount needs; longer numbers are refused as out of range.
const MAX_DIGITS: usize = 30;

impl Decimal {
    /// `mantissa × 10^-scale`.
    pub fn new(mantissa: i128, scale: u32) -> Decimal {
        let (mut mantissa, mut scale) = (mantissa, scale);
        while scale > 0 && mantissa % 10 == 0 {
            mantissa /= 10;
            scale -= 1;
        }
        Decimal { mantissa, scale }
    }

    /// Reads a JSON number's text (`900`, `900.50`, `9.005e2`, `-1`). `None` for anything else or
    /// for numbers with more than 30 significant digits.
    pub fn parse(raw: &str) -> Option<Decimal> {
        let (negative, rest) = match raw.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        let (number, exponent) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let (int, frac) = match number.split_once('.') {
            Some((i, f)) => (i, f),
            None => (number, ""),
        };
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits_only(int) || !digits_only(frac) || number.ends_with('.') {
            return None;
        }
        let digits = format!("{int}{frac}");
        let significant = digits.trim_start_matches('0');
        if significant.len() > MAX_DIGITS {
            return None;
        }
        let mut mantissa: i128 = if significant.is_empty() {
            0
        } else {
            significant.parse().ok()?
        };
        let mut scale = i64::try_from(frac.len()).ok()?;
        if let Some(exp) = exponent {
            let exp: i64 = exp.strip_prefix('+').unwrap_or(exp).parse().ok()?;
            scale = scale.checked_sub(exp)?;
        }
        while scale < 0 {
            mantissa = mantissa.checked_mul(10)?;
            scale += 1;
        }
        // Trailing zeros after the point say nothing about the value.
        while scale > 0 && mantissa % 10 == 0 {
            mantissa /= 10;
            scale -= 1;
        }
        if mantissa == 0 {
            scale = 0;
        }
        Some(Decimal {
            mantissa: if negative { -mantissa } else { mantissa },
            scale: u32::try_from(scale).ok()?,
        })
    }

    /// Places after the decimal point, trailing zeros not counted.
    pub fn decimals(&self) -> u32 {
        self.scale
    }

    /// The value in units of `10^-exponent`, when it is a whole number of them.
    pub fn in_units_of(&self, exponent: u32) -> Option<i128> {
        if self.scale > exponent {
            return None;
        }
        self.mantissa
            .checked_mul(10i128.checked_pow(exponent - self.scale)?)
    }

    /// Whether `min ≤ self ≤ max`, comparing exactly.
    pub fn within(&self, min: i64, max: i64) -> bool {
        let pow = 10i128.checked_pow(self.scale);
        match pow {
            Some(pow) => {
                let scaled = |v: i64| i128::from(v).checked_mul(pow);
                match (scaled(min), scaled(max)) {
                    (Some(lo), Some(hi)) => (lo..=hi).contains(&self.mantissa),
                    _ => false,
                }
            }
            None => false,
        }
    }
}

/// An amount of money: whole minor units of a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    pub fn from_minor(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// The amount `amount` of `currency`, if it is a whole number of minor units that fits.
    pub fn from_decimal(amount: Decimal, currency: Currency) -> Option<Money> {
        let minor = amount.in_units_of(currency.exponent())?;
        Some(Money {
            minor: i64::try_from(minor).ok()?,
            currency,
        })
    }

    /// The amount in major units, exactly.
    pub fn amount(&self) -> Decimal {
        Decimal::new(i128::from(self.minor), self.currency.exponent())
    }

    /// Minor units: cents for USD.
    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The amount in major units as people write it, without trailing zeros: `900`, `900.5`,
    /// `0.05`, `1.125` (KWD). Valid as a JSON number.
    pub fn major(&self) -> String {
        let exponent = self.currency.exponent();
        let pow = 10u64.pow(exponent);
        let abs = self.minor.unsigned_abs();
        let sign = if self.minor < 0 { "-" } else { "" };
        let (whole, frac) = (abs / pow, abs % pow);
        if frac == 0 {
            return format!("{sign}{whole}");
        }
        let width = usize::try_from(exponent).unwrap_or(0);
        let frac = format!("{frac:0width$}");
        format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.major(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(raw: &str) -> Option<i64> {
        Money::from_decimal(Decimal::parse(raw)?, Currency::USD).map(|m| m.minor())
    }

    #[test]
    fn decimals_convert_exactly() {
        let table = [
            ("900", Some(90_000)),
            ("900.5", Some(90_050)),
            ("900.50", Some(90_050)),
            ("900.500000", Some(90_050)),
            ("0.1", Some(10)),
            ("0.29", Some(29)),
            ("9.005e2", Some(90_050)),
            ("1E3", Some(100_000)),
            ("1e-2", Some(1)),
            ("10.001", None),
            ("0.295", None),
            ("-1.5", Some(-150)),
            ("0", Some(0)),
            ("-0", Some(0)),
        ];
        for (raw, want) in table {
            assert_eq!(usd(raw), want, "{raw}");
        }
        for bad in [
            "",
            ".5",
            "5.",
            "1..2",
            "abc",
            "1e",
            "0x10",
            "+1",
            &"9".repeat(40),
        ] {
            assert_eq!(Decimal::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn minor_units_follow_the_currency() {
        let kwd = Currency::parse("KWD").unwrap();
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(kwd.exponent(), 3);
        assert_eq!(jpy.exponent(), 0);
        let d = Decimal::parse("350.125").unwrap();
        assert_eq!(
            Money::from_decimal(d, kwd).map(|m| m.minor()),
            Some(350_125)
        );
        assert_eq!(Money::from_decimal(d, Currency::USD), None);
        assert_eq!(
            Money::from_decimal(Decimal::parse("12.5").unwrap(), jpy),
            None
        );
        assert!(Currency::parse("usd").is_none());
        assert!(Currency::parse("US").is_none());
    }

    #[test]
    fn major_units_print_without_trailing_zeros() {
        let m =
            |minor, code: &str| Money::from_minor(minor, Currency::parse(code).unwrap()).major();
        assert_eq!(m(90_000, "USD"), "900");
        assert_eq!(m(90_050, "USD"), "900.5");
        assert_eq!(m(90_055, "USD"), "900.55");
        assert_eq!(m(5, "USD"), "0.05");
        assert_eq!(m(-150, "USD"), "-1.5");
        assert_eq!(m(1_125, "KWD"), "1.125");
        assert_eq!(m(1_000, "JPY"), "1000");
    }

    #[test]
    fn ranges_compare_exactly() {
        let d = Decimal::parse("1000000.01").unwrap();
        assert!(!d.within(0, 1_000_000));
        assert!(Decimal::parse("1000000").unwrap().within(0, 1_000_000));
        assert!(!Decimal::parse("-0.01").unwrap().within(0, 1_000_000));
    }
}
