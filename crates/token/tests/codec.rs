//! The token codec and its key ring, from the outside: round trips, every refusal, rotation, the
//! key ring text, and the published test vector.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use domain::identity::{Claims, TokenCodec, TokenError};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use token::{Codec, KeyRing, TokenConfigError};

/// The test vector of docs/auth.md.
const VECTOR_TOKEN: &str = "07404142434445464748494a4b4c4d4e4f5051525354555657b1404f18b2a71a7fc09dcdf7fae62ca3dcd3e4b75a3701af0972b473406f53c840ba48577bf7fd5a85d6a3056395b3bbaa084fbe16c9e0cdcfb561837aeb14023162921d7dd077fdfc5b83a9a61af5a6858e6b7d1c5e273e66ee53f3f0284974173bdd88cfa828c1b4c035dc775ea3e4e7bd699f5e87c7a17bf21353558b38d5ae350065b891bff9d7eda65804eab309df7d3bcf067536532566f5dd57954de04db353e90618894e28a49a8d02997bb3b0b08ebbe0afc6d780a456a178dd47c6f8b2ececd72d488c1951480ca1be341da305252caaaff64bf5e578a09a7b79e15c733e9776304bf3f60cd3f129f06a8d89b1f34e5f3f4c";
const VECTOR_JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiYXVkIjoic25yX3VzciIsImV4cCI6MTg5MzQ1NjAwMCwiaWF0IjoxNzAwMDAwMDAwLCJqdGkiOiIwMThmMmY1ZS03YjNhLTdjNGQtOWUxZi0yYTNiNGM1ZDZlN2YifQ.bHm_ROXODZlvbbaalc1mkENhxVWaVk4WvFGLCvVtl98";

/// A key of a test ring, with its material in the clear so tests can seal by hand.
struct TestKey {
    id: u8,
    enc: [u8; 32],
    sig: Vec<u8>,
}

impl TestKey {
    /// A key whose bytes are derived from `seed`, distinct for distinct seeds.
    fn new(id: u8, seed: u8) -> Self {
        Self {
            id,
            enc: std::array::from_fn(|i| seed.wrapping_mul(31).wrapping_add(i as u8)),
            sig: (0..32)
                .map(|i: u8| seed.wrapping_mul(17).wrapping_add(0x80).wrapping_add(i))
                .collect(),
        }
    }

    fn vector() -> Self {
        Self {
            id: 7,
            enc: std::array::from_fn(|i| i as u8),
            sig: (0x20..0x40).collect(),
        }
    }

    fn entry(&self) -> String {
        format!(
            "{}:{}:{}",
            self.id,
            hex::encode(self.enc),
            hex::encode(&self.sig)
        )
    }

    /// Encrypts `plaintext` as a token of this key, as the codec would.
    fn seal_raw(&self, plaintext: &[u8]) -> String {
        let nonce = [0x5a; 24];
        let ciphertext = XChaCha20Poly1305::new(&self.enc.into())
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &[self.id],
                },
            )
            .unwrap_or_else(|e| panic!("test encryption failed: {e}"));
        let mut bytes = vec![self.id];
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&ciphertext);
        hex::encode(bytes)
    }

    /// Decrypts a token of this key to its JWT.
    fn unseal(&self, token: &str) -> String {
        let bytes = hex::decode(token).unwrap_or_else(|e| panic!("token is not hex: {e}"));
        assert_eq!(bytes[0], self.id);
        let plaintext = XChaCha20Poly1305::new(&self.enc.into())
            .decrypt(
                XNonce::from_slice(&bytes[1..25]),
                Payload {
                    msg: &bytes[25..],
                    aad: &[self.id],
                },
            )
            .unwrap_or_else(|e| panic!("token does not decrypt: {e}"));
        String::from_utf8(plaintext).unwrap_or_else(|e| panic!("JWT is not UTF-8: {e}"))
    }
}

fn ring(keys: &[&TestKey]) -> KeyRing {
    let text: Vec<String> = keys.iter().map(|k| k.entry()).collect();
    KeyRing::parse(&text.join(",")).unwrap_or_else(|e| panic!("test ring: {e}"))
}

fn claims() -> Claims {
    Claims {
        sub: "user-42".into(),
        aud: "snr_usr".into(),
        exp: 1_893_456_000,
        iat: 1_700_000_000,
        jti: "018f2f5e-7b3a-7c4d-9e1f-2a3b4c5d6e7f".into(),
        roles: vec![],
        scope: None,
        client_id: None,
    }
}

fn staff_claims() -> Claims {
    Claims {
        sub: "EMP1".into(),
        aud: "ehealth".into(),
        roles: vec!["coordinator".into(), "doctor".into()],
        scope: Some("declaration_request:read declaration_request:write".into()),
        client_id: Some("0193a1c0-0000-7000-8000-00000000000e".into()),
        ..claims()
    }
}

fn hs256(claims: &impl serde::Serialize, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap_or_else(|e| panic!("cannot sign a test JWT: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Round trips

#[test]
fn round_trip_with_and_without_roles_and_scope() {
    let codec = Codec::new(ring(&[&TestKey::new(3, 1)]));
    for claims in [claims(), staff_claims()] {
        let token = codec.seal(&claims).unwrap();
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert_eq!(token.len() % 2, 0);
        assert_eq!(&token[..2], "03");
        assert_eq!(codec.open(&token), Ok(claims));
    }
}

#[test]
fn seal_uses_a_fresh_nonce_each_time() {
    let codec = Codec::new(ring(&[&TestKey::new(3, 1)]));
    let a = codec.seal(&claims()).unwrap();
    let b = codec.seal(&claims()).unwrap();
    assert_ne!(a, b);
    assert_ne!(a[2..50], b[2..50], "nonces differ");
    assert_eq!(codec.open(&a), codec.open(&b));
}

#[test]
fn surrounding_whitespace_and_uppercase_hex_are_accepted() {
    let codec = Codec::new(ring(&[&TestKey::new(3, 1)]));
    let token = codec.seal(&claims()).unwrap();
    for variant in [
        format!("  {token}\n"),
        format!("\t{token} "),
        token.to_uppercase(),
        format!(" {} ", token.to_uppercase()),
    ] {
        assert_eq!(codec.open(&variant), Ok(claims()), "{variant:?}");
    }
}

#[test]
fn the_jwt_inside_is_hs256_with_the_documented_header() {
    let key = TestKey::new(3, 1);
    let codec = Codec::new(ring(&[&key]));
    let jwt = key.unseal(&codec.seal(&staff_claims()).unwrap());
    assert!(jwt.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));
    let decoded =
        jsonwebtoken::decode::<Claims>(&jwt, &jsonwebtoken::DecodingKey::from_secret(&key.sig), &{
            let mut v = jsonwebtoken::Validation::new(Algorithm::HS256);
            v.validate_exp = false;
            v.validate_aud = false;
            v
        })
        .unwrap();
    assert_eq!(decoded.claims, staff_claims());
}

#[test]
fn open_does_not_judge_expiry_or_audience() {
    let codec = Codec::new(ring(&[&TestKey::new(3, 1)]));
    let expired = Claims {
        exp: 1,
        iat: 0,
        aud: "somewhere-else".into(),
        ..claims()
    };
    let token = codec.seal(&expired).unwrap();
    assert_eq!(codec.open(&token), Ok(expired));
}

// ---------------------------------------------------------------------------------------------
// Refusals

#[test]
fn malformed_hex_is_not_hex() {
    let codec = Codec::new(ring(&[&TestKey::new(3, 1)]));
    let token = codec.seal(&claims()).unwrap();
    let odd = &token[..token.len() - 1];
    let inner_space = format!("{} {}", &token[..10], &token[10..]);
    for bad in [
        "not hex at all",
        "zz",
        "0g",
        odd,
        "abc",
        &inner_space,
        "Bearer 00",
    ] {
        assert_eq!(codec.open(bad), Err(TokenError::NotHex), "{bad:?}");
    }
}

#[test]
fn short_tokens_are_truncated() {
    let codec = Codec::new(ring(&[&TestKey::new(3, 1)]));
    for bytes in [0usize, 1, 25, 30, 40] {
        let token = "03".repeat(bytes);
        assert_eq!(codec.open(&token), Err(TokenError::Truncated), "{bytes}");
    }
    // 41 bytes: key id, nonce and tag around nothing. Long enough to try, and refused by the AEAD.
    assert_eq!(codec.open(&"03".repeat(41)), Err(TokenError::Decryption));
    assert_eq!(token::MIN_TOKEN_BYTES, 41);
}

#[test]
fn a_tampered_ciphertext_byte_fails_decryption() {
    let codec = Codec::new(ring(&[&TestKey::new(3, 1)]));
    let token = codec.seal(&claims()).unwrap();
    let mut bytes = hex::decode(&token).unwrap();
    let len = bytes.len();
    for at in [1, 24, 25, 40, len - 17, len - 1] {
        let mut tampered = bytes.clone();
        tampered[at] ^= 0x01;
        assert_eq!(
            codec.open(&hex::encode(tampered)),
            Err(TokenError::Decryption),
            "byte {at}"
        );
    }
    bytes.truncate(len - 1);
    assert_eq!(codec.open(&hex::encode(bytes)), Err(TokenError::Decryption));
}

#[test]
fn a_tampered_key_id_is_unknown_or_fails_decryption() {
    let current = TestKey::new(3, 1);
    let older = TestKey::new(2, 2);
    let codec = Codec::new(ring(&[&current, &older]));
    let token = codec.seal(&claims()).unwrap();
    let mut bytes = hex::decode(&token).unwrap();
    bytes[0] = 9;
    assert_eq!(
        codec.open(&hex::encode(&bytes)),
        Err(TokenError::UnknownKey)
    );
    bytes[0] = 2;
    assert_eq!(
        codec.open(&hex::encode(&bytes)),
        Err(TokenError::Decryption)
    );
}

#[test]
fn a_token_of_another_ring_fails_decryption() {
    let ours = Codec::new(ring(&[&TestKey::new(3, 1)]));
    let theirs = Codec::new(ring(&[&TestKey::new(3, 9)]));
    let token = theirs.seal(&claims()).unwrap();
    assert_eq!(ours.open(&token), Err(TokenError::Decryption));
    let generated = Codec::new(KeyRing::generate());
    let token = generated.seal(&claims()).unwrap();
    assert!(matches!(
        ours.open(&token),
        Err(TokenError::UnknownKey | TokenError::Decryption)
    ));
}

#[test]
fn a_jwt_signed_with_another_key_is_a_signature_error() {
    let key = TestKey::new(3, 1);
    let codec = Codec::new(ring(&[&key]));
    let other_sig = TestKey::new(3, 5).sig;
    let token = key.seal_raw(hs256(&claims(), &other_sig).as_bytes());
    assert_eq!(codec.open(&token), Err(TokenError::Signature));
    // The same JWT with the ring's own signing key opens: only the signature was wrong.
    let token = key.seal_raw(hs256(&claims(), &key.sig).as_bytes());
    assert_eq!(codec.open(&token), Ok(claims()));
}

#[test]
fn a_signing_key_of_another_ring_entry_is_refused() {
    // Keys are not interchangeable: entry 2's signing key does not verify under entry 3.
    let current = TestKey::new(3, 1);
    let older = TestKey::new(2, 2);
    let codec = Codec::new(ring(&[&current, &older]));
    let token = current.seal_raw(hs256(&claims(), &older.sig).as_bytes());
    assert_eq!(codec.open(&token), Err(TokenError::Signature));
}

#[test]
fn other_algorithms_are_a_signature_error() {
    let key = TestKey::new(3, 1);
    let codec = Codec::new(ring(&[&key]));
    let genuine = key.unseal(&codec.seal(&claims()).unwrap());
    let payload = genuine.split('.').nth(1).unwrap();

    // {"alg":"none","typ":"JWT"}, no signature.
    let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
    // The genuine signature under an "alg":"none" header.
    let none_signed = format!(
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.{}",
        genuine.split('.').nth(2).unwrap()
    );
    let hs512 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS512),
        &claims(),
        &EncodingKey::from_secret(&key.sig),
    )
    .unwrap();
    let hs384 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS384),
        &claims(),
        &EncodingKey::from_secret(&key.sig),
    )
    .unwrap();
    for jwt in [none, none_signed, hs512, hs384] {
        assert_eq!(
            codec.open(&key.seal_raw(jwt.as_bytes())),
            Err(TokenError::Signature),
            "{jwt}"
        );
    }
}

#[test]
fn garbage_inside_a_valid_envelope_is_a_signature_error() {
    let key = TestKey::new(3, 1);
    let codec = Codec::new(ring(&[&key]));
    let genuine = key.unseal(&codec.seal(&claims()).unwrap());
    let (message, _) = genuine.rsplit_once('.').unwrap();
    for plaintext in [
        b"".as_slice(),
        b"not a jwt",
        b"a.b.c",
        b"\xff\xfe\x00",
        message.as_bytes(),
        format!("{genuine}.extra").as_bytes(),
        format!("{message}.AAAA").as_bytes(),
        format!("{message}.!!!!").as_bytes(),
    ] {
        assert_eq!(
            codec.open(&key.seal_raw(plaintext)),
            Err(TokenError::Signature),
            "{:?}",
            String::from_utf8_lossy(plaintext)
        );
    }
}

#[test]
fn signed_claims_that_are_not_claims_are_a_claims_error() {
    let key = TestKey::new(3, 1);
    let codec = Codec::new(ring(&[&key]));
    let without_sub = serde_json::json!({
        "aud": "snr_usr", "exp": 1_893_456_000, "iat": 1_700_000_000, "jti": "j"
    });
    let exp_as_text = serde_json::json!({
        "sub": "user-42", "aud": "snr_usr", "exp": "tomorrow", "iat": 1_700_000_000, "jti": "j"
    });
    let roles_as_text = serde_json::json!({
        "sub": "user-42", "aud": "snr_usr", "exp": 1, "iat": 0, "jti": "j", "roles": "admin"
    });
    for payload in [
        without_sub,
        exp_as_text,
        roles_as_text,
        serde_json::json!([1, 2]),
        serde_json::json!("text"),
    ] {
        let token = key.seal_raw(hs256(&payload, &key.sig).as_bytes());
        assert_eq!(codec.open(&token), Err(TokenError::Claims), "{payload}");
    }
    // Unknown extra claims are ignored.
    let extra = serde_json::json!({
        "sub": "user-42", "aud": "snr_usr", "exp": 1_893_456_000, "iat": 1_700_000_000,
        "jti": "018f2f5e-7b3a-7c4d-9e1f-2a3b4c5d6e7f", "nbf": 4_000_000_000u64, "iss": "x"
    });
    let token = key.seal_raw(hs256(&extra, &key.sig).as_bytes());
    assert_eq!(codec.open(&token), Ok(claims()));
}

// ---------------------------------------------------------------------------------------------
// Rotation

#[test]
fn a_token_sealed_before_rotation_still_opens() {
    let before = KeyRing::generate();
    assert_eq!(before.ids(), vec![1]);
    let old_token = Codec::new(before.clone()).seal(&claims()).unwrap();
    let after = before.rotate();
    assert_eq!(after.current_id(), 2);
    assert_eq!(after.ids(), vec![2, 1]);
    let codec = Codec::new(after);
    assert_eq!(codec.open(&old_token), Ok(claims()));
    let new_token = codec.seal(&claims()).unwrap();
    assert_eq!(&new_token[..2], "02");
    // The old ring does not know the new key.
    assert_eq!(
        Codec::new(before).open(&new_token),
        Err(TokenError::UnknownKey)
    );
}

#[test]
fn rotation_keeps_eight_keys_and_a_dropped_key_is_unknown() {
    let first = KeyRing::generate();
    let first_token = Codec::new(first.clone()).seal(&claims()).unwrap();
    let mut ring = first;
    for _ in 0..7 {
        ring = ring.rotate();
    }
    assert_eq!(ring.ids(), vec![8, 7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(Codec::new(ring.clone()).open(&first_token), Ok(claims()));
    ring = ring.rotate();
    assert_eq!(ring.ids(), vec![9, 8, 7, 6, 5, 4, 3, 2]);
    assert_eq!(KeyRing::ROTATE_KEEPS, 8);
    assert_eq!(
        Codec::new(ring).open(&first_token),
        Err(TokenError::UnknownKey)
    );
}

#[test]
fn rotation_ids_wrap_past_255_to_the_smallest_free_id() {
    let at_255 = ring(&[&TestKey::new(255, 1), &TestKey::new(0, 2)]);
    assert_eq!(at_255.rotate().ids(), vec![1, 255, 0]);
    let taken_next = ring(&[
        &TestKey::new(3, 1),
        &TestKey::new(4, 2),
        &TestKey::new(6, 3),
    ]);
    assert_eq!(taken_next.rotate().ids(), vec![5, 3, 4, 6]);
    let from_250 = ring(&[
        &TestKey::new(250, 1),
        &TestKey::new(251, 2),
        &TestKey::new(252, 3),
        &TestKey::new(253, 4),
        &TestKey::new(254, 5),
        &TestKey::new(255, 6),
        &TestKey::new(0, 7),
    ]);
    assert_eq!(
        from_250.rotate().ids(),
        vec![1, 250, 251, 252, 253, 254, 255, 0]
    );
}

#[test]
fn a_ring_of_all_256_ids_still_rotates() {
    let text: Vec<String> = (0..=255u8).map(|id| TestKey::new(id, id).entry()).collect();
    let full = KeyRing::parse(&text.join("\n")).unwrap();
    assert_eq!(full.ids().len(), 256);
    let rotated = full.rotate();
    // No id is free: the new key takes the first id after the current one that is not kept.
    assert_eq!(rotated.ids(), vec![7, 0, 1, 2, 3, 4, 5, 6]);
    let old_7 = TestKey::new(7, 7).seal_raw(hs256(&claims(), &TestKey::new(7, 7).sig).as_bytes());
    assert_eq!(Codec::new(full).open(&old_7), Ok(claims()));
    assert_eq!(
        Codec::new(rotated).open(&old_7),
        Err(TokenError::Decryption)
    );
}

#[test]
fn rotated_keys_are_fresh() {
    let a = KeyRing::generate();
    let b = KeyRing::generate();
    let token = Codec::new(a.clone()).seal(&claims()).unwrap();
    assert_eq!(Codec::new(b).open(&token), Err(TokenError::Decryption));
    let rotated = a.rotate();
    let text = rotated.to_text();
    let entries: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(entries.len(), 2);
    assert_ne!(entries[0][2..], entries[1][2..]);
    assert!(a.to_text().ends_with(&format!("{}\n", entries[1])));
}

// ---------------------------------------------------------------------------------------------
// The key ring text

#[test]
fn to_text_parses_back_to_the_same_ring() {
    let ring = KeyRing::generate().rotate().rotate();
    let text = ring.to_text();
    assert!(text.starts_with("# "));
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("3:"));
    for line in &lines {
        let fields: Vec<&str> = line.split(':').collect();
        assert_eq!(fields.len(), 3);
        assert_eq!(fields[1].len(), 64);
        assert_eq!(fields[2].len(), 64);
        assert_eq!(fields[1], fields[1].to_lowercase());
    }
    let parsed = KeyRing::parse(&text).unwrap();
    assert_eq!(parsed.ids(), vec![3, 2, 1]);
    assert_eq!(parsed.to_text(), text);
    let token = Codec::new(ring).seal(&claims()).unwrap();
    assert_eq!(Codec::new(parsed).open(&token), Ok(claims()));
}

#[test]
fn parse_accepts_commas_newlines_comments_and_blank_lines() {
    let (a, b, c) = (TestKey::new(5, 1), TestKey::new(0, 2), TestKey::new(200, 3));
    let text = format!(
        "# keys, newest first\r\n\r\n  {} , {}\r\n# an old key, kept\n\n{},\n",
        a.entry(),
        b.entry().to_uppercase(),
        c.entry()
    );
    let parsed = KeyRing::parse(&text).unwrap();
    assert_eq!(parsed.current_id(), 5);
    assert_eq!(parsed.ids(), vec![5, 0, 200]);
    let token = b.seal_raw(hs256(&claims(), &b.sig).as_bytes());
    assert_eq!(Codec::new(parsed).open(&token), Ok(claims()));
    // A longer signing key is fine.
    let long = format!("1:{}:{}", hex::encode([1u8; 32]), hex::encode([2u8; 64]));
    assert_eq!(KeyRing::parse(&long).unwrap().ids(), vec![1]);
}

#[test]
fn parse_errors_name_the_entry_and_never_the_key() {
    let enc = "0123456789abcdef".repeat(4);
    let sig = "fedcba9876543210".repeat(4);
    let good = format!("1:{enc}:{sig}");
    let table: Vec<(String, TokenConfigError)> = vec![
        (String::new(), TokenConfigError::Empty),
        ("# only a comment\n\n , ,".into(), TokenConfigError::Empty),
        (
            format!("{good},256:{enc}:{sig}"),
            TokenConfigError::Id { entry: 2 },
        ),
        (format!("x:{enc}:{sig}"), TokenConfigError::Id { entry: 1 }),
        (format!("+1:{enc}:{sig}"), TokenConfigError::Id { entry: 1 }),
        (format!("{enc}:{sig}:1"), TokenConfigError::Id { entry: 1 }),
        (
            format!("1:{}:{sig}", &enc[..62]),
            TokenConfigError::EncKeyLength {
                entry: 1,
                found: 62,
            },
        ),
        (
            format!("1:{enc}00:{sig}"),
            TokenConfigError::EncKeyLength {
                entry: 1,
                found: 66,
            },
        ),
        (
            format!("1:{}zz:{sig}", &enc[..62]),
            TokenConfigError::EncKeyNotHex { entry: 1 },
        ),
        (
            format!("{good}\n2:{enc}:{}", &sig[..62]),
            TokenConfigError::SigKeyLength {
                entry: 2,
                found: 62,
            },
        ),
        (
            format!("1:{enc}:{sig}a"),
            TokenConfigError::SigKeyLength {
                entry: 1,
                found: 65,
            },
        ),
        (
            format!("1:{enc}:{sig}zz"),
            TokenConfigError::SigKeyNotHex { entry: 1 },
        ),
        (
            format!("1:{enc}"),
            TokenConfigError::Fields { entry: 1, found: 2 },
        ),
        (
            format!("{good},1:{enc}:{sig}:extra"),
            TokenConfigError::Fields { entry: 2, found: 4 },
        ),
        (
            format!("{good}\n# comment\n2:{enc}:{sig},1:{enc}:{sig}"),
            TokenConfigError::DuplicateId {
                entry: 3,
                id: 1,
                first: 1,
            },
        ),
    ];
    for (text, expected) in table {
        let error = KeyRing::parse(&text).unwrap_err();
        assert_eq!(error, expected, "{text:?}");
        let message = error.to_string();
        assert!(message.contains("key ring"), "{message}");
        if let Some(entry) = entry_of(&expected) {
            assert!(message.contains(&format!("entry {entry}")), "{message}");
        }
        for secret in [&enc, &sig] {
            for window in secret.as_bytes().windows(8) {
                let window = std::str::from_utf8(window).unwrap();
                assert!(!message.contains(window), "{message} leaks key material");
            }
        }
    }
}

fn entry_of(error: &TokenConfigError) -> Option<usize> {
    match *error {
        TokenConfigError::Empty => None,
        TokenConfigError::Fields { entry, .. }
        | TokenConfigError::Id { entry }
        | TokenConfigError::EncKeyLength { entry, .. }
        | TokenConfigError::EncKeyNotHex { entry }
        | TokenConfigError::SigKeyLength { entry, .. }
        | TokenConfigError::SigKeyNotHex { entry }
        | TokenConfigError::DuplicateId { entry, .. } => Some(entry),
    }
}

#[test]
fn debug_shows_ids_only() {
    let key = TestKey::vector();
    let ring = ring(&[&key, &TestKey::new(2, 2)]);
    let enc = hex::encode(key.enc);
    let sig = hex::encode(&key.sig);
    let ring_debug = format!("{ring:?} {ring:#?}");
    let codec_debug = format!("{:?}", Codec::new(ring));
    assert!(ring_debug.contains("current: 7"), "{ring_debug}");
    assert!(ring_debug.contains("[7, 2]") || ring_debug.contains("7,\n"));
    assert!(codec_debug.contains("current: 7"), "{codec_debug}");
    for text in [&ring_debug, &codec_debug] {
        assert!(!text.contains(&enc[..16]) && !text.contains(&sig[..16]));
        // Nor as a list of byte values.
        assert!(!text.contains("28, 29, 30, 31"), "{text}");
        assert!(!text.contains("32, 33, 34"), "{text}");
    }
}

// ---------------------------------------------------------------------------------------------
// The published test vector (docs/auth.md)

#[test]
fn test_vector() {
    let key = TestKey::vector();
    assert_eq!(
        key.entry(),
        "7:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\
         :202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    );
    let codec = Codec::new(ring(&[&key]));
    let nonce: [u8; 24] = std::array::from_fn(|i| 0x40 + i as u8);
    let token = codec.seal_with_nonce(&claims(), nonce).unwrap();
    assert_eq!(token, VECTOR_TOKEN);
    assert_eq!(key.unseal(&token), VECTOR_JWT);
    assert_eq!(codec.open(VECTOR_TOKEN), Ok(claims()));
    assert_eq!(&token[..2], "07");
    assert_eq!(
        &token[2..50],
        "404142434445464748494a4b4c4d4e4f5051525354555657"
    );
    assert_eq!(token.len(), 2 * (1 + 24 + VECTOR_JWT.len() + 16));
    // The claims JSON, in field order.
    let payload = VECTOR_JWT.split('.').nth(1).unwrap();
    assert_eq!(
        payload,
        "eyJzdWIiOiJ1c2VyLTQyIiwiYXVkIjoic25yX3VzciIsImV4cCI6MTg5MzQ1NjAwMCwiaWF0IjoxNzAwMDAwMDAwLCJqdGkiOiIwMThmMmY1ZS03YjNhLTdjNGQtOWUxZi0yYTNiNGM1ZDZlN2YifQ"
    );
    assert_eq!(
        serde_json::to_string(&claims()).unwrap(),
        r#"{"sub":"user-42","aud":"snr_usr","exp":1893456000,"iat":1700000000,"jti":"018f2f5e-7b3a-7c4d-9e1f-2a3b4c5d6e7f"}"#
    );
    // Sealing is deterministic for a given nonce.
    assert_eq!(codec.seal_with_nonce(&claims(), nonce).unwrap(), token);
}
