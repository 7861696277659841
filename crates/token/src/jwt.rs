//! The inner JWT: compact serialization, HS256, header `{"alg":"HS256","typ":"JWT"}`.
//!
//! Signing builds the JWT here so that its bytes are fixed (header field order, claims in
//! [`Claims`] field order): the same claims and key always give the same JWT, which keeps the test
//! vector stable. Verification is `jsonwebtoken`'s, restricted to HS256, with every claim check
//! off: expiry, audience and revocation are judged by `domain`'s `AuthService` against its clock.

use std::sync::{LazyLock, Once};

use domain::identity::{Claims, TokenError};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Validation};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// `base64url({"alg":"HS256","typ":"JWT"})`.
pub(crate) const HEADER_B64: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/// HS256 only; no claim is required and none is judged.
static VALIDATION: LazyLock<Validation> = LazyLock::new(|| {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    validation.leeway = 0;
    validation
});

/// Selects `jsonwebtoken`'s RustCrypto provider for the process. The crate would pick it from its
/// features alone, but only while no other crate in the build enables its `aws_lc_rs` feature too;
/// installing it explicitly keeps signing working either way. If a provider is already installed,
/// that one is kept: every provider implements HS256.
pub(crate) fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // An error means a provider is installed already: it is kept.
        let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
    });
}

/// One HS256 secret, ready to sign and to verify.
pub(crate) struct SigningKey {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl SigningKey {
    pub(crate) fn new(secret: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    /// The compact JWT of `claims`.
    pub(crate) fn sign(&self, claims: &Claims) -> domain::Result<String> {
        let payload = serde_json::to_vec(claims).map_err(|e| {
            domain::Error::Internal(domain::Cause::with_source(
                "cannot serialize token claims",
                e,
            ))
        })?;
        let mut jwt = String::with_capacity(HEADER_B64.len() + 2 + payload.len() * 4 / 3 + 48);
        jwt.push_str(HEADER_B64);
        jwt.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut jwt);
        let signature =
            jsonwebtoken::crypto::sign(jwt.as_bytes(), &self.encoding, Algorithm::HS256).map_err(
                |e| domain::Error::Internal(domain::Cause::with_source("cannot sign a token", e)),
            )?;
        jwt.push('.');
        jwt.push_str(&signature);
        Ok(jwt)
    }

    /// The claims of `jwt` if it is HS256 and signed with this key.
    ///
    /// [`TokenError::Claims`] only when the header and signature hold but the payload is not
    /// [`Claims`]; every other failure is [`TokenError::Signature`].
    pub(crate) fn verify(&self, jwt: &str) -> Result<Claims, TokenError> {
        match jsonwebtoken::decode::<Claims>(jwt, &self.decoding, &VALIDATION) {
            Ok(data) => Ok(data.claims),
            // These kinds come from the header and signature as well as from the payload: they
            // are a claims error only if the signature verifies.
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::Json(_) | ErrorKind::Base64(_) | ErrorKind::Utf8(_)
                ) && self.signature_holds(jwt) =>
            {
                Err(TokenError::Claims)
            }
            Err(_) => Err(TokenError::Signature),
        }
    }

    /// Whether the header reads HS256 and the signature matches. Only runs on a failed decode.
    fn signature_holds(&self, jwt: &str) -> bool {
        let Some((message, signature)) = jwt.rsplit_once('.') else {
            return false;
        };
        let header_is_hs256 =
            matches!(jsonwebtoken::decode_header(jwt), Ok(h) if h.alg == Algorithm::HS256);
        header_is_hs256
            && matches!(
                jsonwebtoken::crypto::verify(
                    signature,
                    message.as_bytes(),
                    &self.decoding,
                    Algorithm::HS256
                ),
                Ok(true)
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_constant_is_the_encoded_header() {
        let mut encoded = String::new();
        URL_SAFE_NO_PAD.encode_string(br#"{"alg":"HS256","typ":"JWT"}"#, &mut encoded);
        assert_eq!(encoded, HEADER_B64);
    }
}
