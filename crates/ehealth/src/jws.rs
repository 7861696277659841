//! Doctors' signatures: a compact JWS, EdDSA over Ed25519, whose payload is the document the doctor
//! signs (`data_to_be_signed` with the chain's seed). The payload is a document, not a set of JWT
//! claims: no claim is required and none is judged (`exp`, `nbf`, `aud` would mean nothing here);
//! only the algorithm and the signature are checked. Whether the payload is the request's document
//! is the domain's check (`SignService`).

use std::sync::Once;

use domain::declarations::sign::signature_not_verified;
use domain::declarations::{PublicKey, SignatureVerifier};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

/// Verifies doctors' compact JWS signatures with the keys the registry holds.
#[derive(Debug, Clone)]
pub struct JwsVerifier {
    validation: Validation,
}

impl JwsVerifier {
    pub fn new() -> Self {
        install_crypto_provider();
        // EdDSA only: a header naming any other algorithm (HS256 keyed with the public key, `none`)
        // is refused before any key is used.
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        validation.leeway = 0;
        Self { validation }
    }
}

impl Default for JwsVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl SignatureVerifier for JwsVerifier {
    /// The payload of `jws` if its header says EdDSA and `public_key` verifies its signature. The
    /// payload must be a JSON object (the signed document always is); anything else, like every
    /// other failure, is [`signature_not_verified`].
    fn verify_compact_jws(
        &self,
        jws: &str,
        public_key: &PublicKey,
    ) -> domain::Result<serde_json::Value> {
        // `jsonwebtoken` takes an Ed25519 public key as its 32 raw bytes (the JWK's `x`), which is
        // what the registry holds, whatever the constructor's name says.
        let key = DecodingKey::from_ed_der(public_key.as_bytes());
        jsonwebtoken::decode::<serde_json::Value>(jws, &key, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| {
                // The kind only (bad algorithm, bad signature, malformed): never the token itself.
                tracing::debug!(reason = ?e.kind(), "declaration request signature refused");
                signature_not_verified()
            })
    }
}

/// Selects `jsonwebtoken`'s RustCrypto provider for the process. The crate would pick it from its
/// features alone, but only while no other crate in the build enables its `aws_lc_rs` feature too;
/// installing it explicitly keeps verification working either way. If a provider is installed
/// already, that one is kept: every provider implements EdDSA.
fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // An error means a provider is installed already: it is kept.
        let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
    });
}

#[cfg(test)]
mod tests {
    use domain::Error;
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    use super::*;

    /// An Ed25519 key pair: the PKCS#8 DER `jsonwebtoken` signs with, the raw public key the
    /// registry holds. Fixed seeds, so that a failure reproduces.
    struct KeyPair {
        encoding: EncodingKey,
        public: PublicKey,
    }

    fn key_pair(seed: u8) -> KeyPair {
        let signing = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
        let der = signing.to_pkcs8_der().unwrap();
        KeyPair {
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            public: PublicKey::from_bytes(signing.verifying_key().as_bytes()).unwrap(),
        }
    }

    fn document() -> serde_json::Value {
        json!({
            "id": "0198a3c4-0000-7000-8000-000000000dc1",
            "declaration_number": "0000-12E4-52A8",
            "start_date": "2026-11-23",
            "person": {"first_name": "Олена", "last_name": "Коваль", "second_name": null},
            "parent_declaration_id": null,
            "seed": "9f86d081884c7d659a2feaa0c55ad015",
        })
    }

    fn sign(keys: &KeyPair, payload: &serde_json::Value) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), payload, &keys.encoding).unwrap()
    }

    fn verify(jws: &str, key: &PublicKey) -> domain::Result<serde_json::Value> {
        JwsVerifier::new().verify_compact_jws(jws, key)
    }

    /// Exactly the domain's answer to a signature that does not verify.
    fn assert_refused(answer: domain::Result<serde_json::Value>, case: &str) {
        let Err(Error::Validation(errors)) = answer else {
            panic!("{case}: expected the signature refused, got {answer:?}");
        };
        let Error::Validation(expected) = signature_not_verified() else {
            panic!("signature_not_verified is a validation error");
        };
        assert_eq!(errors, expected, "{case}");
    }

    fn segments(jws: &str) -> Vec<String> {
        jws.split('.').map(str::to_owned).collect()
    }

    #[test]
    fn a_signed_document_verifies_and_answers_its_payload() {
        let keys = key_pair(1);
        let jws = sign(&keys, &document());
        assert_eq!(verify(&jws, &keys.public).unwrap(), document());
    }

    #[test]
    fn claim_names_in_the_document_are_not_judged() {
        let keys = key_pair(1);
        let mut payload = document();
        payload["exp"] = json!(1);
        payload["nbf"] = json!(32_503_680_000_u64);
        payload["aud"] = json!("somebody-else");
        payload["iss"] = json!(["a", "b"]);
        let jws = sign(&keys, &payload);
        assert_eq!(verify(&jws, &keys.public).unwrap(), payload);
    }

    #[test]
    fn a_tampered_payload_is_refused() {
        let keys = key_pair(1);
        let signed = segments(&sign(&keys, &document()));
        let mut other = document();
        other["declaration_number"] = json!("0000-AAAA-AAAA");
        let forged = segments(&sign(&keys, &other));
        let spliced = format!("{}.{}.{}", signed[0], forged[1], signed[2]);
        assert_refused(verify(&spliced, &keys.public), "tampered payload");
    }

    #[test]
    fn another_key_is_refused() {
        let jws = sign(&key_pair(1), &document());
        assert_refused(verify(&jws, &key_pair(2).public), "wrong key");
    }

    #[test]
    fn a_key_that_is_no_curve_point_is_refused() {
        // 32 bytes that pass `PublicKey::from_bytes` but do not decompress to a point.
        let bad = (0u8..=255)
            .map(|b| [b; 32])
            .find(|bytes| ed25519_dalek::VerifyingKey::from_bytes(bytes).is_err())
            .unwrap();
        let jws = sign(&key_pair(1), &document());
        assert_refused(
            verify(&jws, &PublicKey::from_bytes(&bad).unwrap()),
            "not a point",
        );
    }

    #[test]
    fn other_algorithms_are_refused() {
        let keys = key_pair(1);
        // HS256 keyed with the doctor's public key: the classic algorithm confusion.
        let hs256 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &document(),
            &EncodingKey::from_secret(keys.public.as_bytes()),
        )
        .unwrap();
        assert_refused(verify(&hs256, &keys.public), "HS256");

        let payload = segments(&sign(&keys, &document()))[1].clone();
        let signature = segments(&sign(&keys, &document()))[2].clone();
        // base64url of {"alg":"none"} and of {"alg":"none","typ":"JWT"}.
        for header in ["eyJhbGciOiJub25lIn0", "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"] {
            let unsigned = format!("{header}.{payload}.");
            assert_refused(verify(&unsigned, &keys.public), "alg none, no signature");
            let resigned = format!("{header}.{payload}.{signature}");
            assert_refused(verify(&resigned, &keys.public), "alg none, a signature");
        }
    }

    #[test]
    fn a_signed_payload_that_is_not_json_is_refused() {
        let keys = key_pair(1);
        let header = segments(&sign(&keys, &document()))[0].clone();
        // base64url of `not json`.
        let message = format!("{header}.bm90IGpzb24");
        let signature =
            jsonwebtoken::crypto::sign(message.as_bytes(), &keys.encoding, Algorithm::EdDSA)
                .unwrap();
        let jws = format!("{message}.{signature}");
        assert_refused(verify(&jws, &keys.public), "payload not JSON");
    }

    #[test]
    fn garbage_is_refused() {
        let keys = key_pair(1);
        let jws = sign(&keys, &document());
        let parts = segments(&jws);
        let cases = [
            String::new(),
            "not a jws".to_owned(),
            "a.b".to_owned(),
            "a.b.c".to_owned(),
            "..".to_owned(),
            format!("{jws}."),
            format!(" {jws}"),
            format!("{}.{}", parts[0], parts[1]),
            format!("{}.{}.", parts[0], parts[1]),
            format!("{}.{}.{}x", parts[0], parts[1], parts[2]),
            format!(
                "{}.{}.{}",
                parts[0],
                parts[1],
                &parts[2][..parts[2].len() - 4]
            ),
        ];
        for case in &cases {
            assert_refused(verify(case, &keys.public), case);
        }
    }
}
