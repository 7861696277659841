//! Money on the wire: amounts as JSON numbers in major units, read and written exactly.
//!
//! serde would read `900.29` into an `f64` (900.28999…); [`Amount`] takes the number's own text
//! instead, and [`Price`] writes the minor units back as the shortest exact decimal.

use domain::kernel::money::{Decimal, Money};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// A decimal amount a client sent as a JSON number, exactly as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount(pub Decimal);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        Decimal::parse(raw.get().trim()).map(Amount).ok_or_else(|| {
            D::Error::custom(format!(
                "invalid amount {}, expected a decimal number of at most 30 digits",
                raw.get()
            ))
        })
    }
}

/// An amount shown to people: a JSON number in major units (`900`, `900.5`, `1.125` for KWD).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Price(pub Money);

impl Serialize for Price {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let raw = RawValue::from_string(self.0.major()).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use domain::kernel::money::Currency;

    use super::*;

    #[test]
    fn amounts_are_read_exactly_and_prices_written_exactly() {
        #[derive(Deserialize)]
        struct Body {
            price: Amount,
        }
        let body: Body = serde_json::from_str(r#"{"price": 900.29}"#).unwrap();
        let money = Money::from_decimal(body.price.0, Currency::USD).unwrap();
        assert_eq!(money.minor(), 90_029);
        assert_eq!(serde_json::to_string(&Price(money)).unwrap(), "900.29");
        assert!(serde_json::from_str::<Body>(r#"{"price": "900"}"#).is_err());
        assert!(serde_json::from_str::<Body>(r#"{"price": null}"#).is_err());
        let whole = Money::from_minor(90_000, Currency::USD);
        assert_eq!(serde_json::to_string(&Price(whole)).unwrap(), "900");
    }
}
