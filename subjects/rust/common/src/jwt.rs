use std::fmt;
use std::sync::LazyLock;

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use serde::de::IgnoredAny;

/// Why `GET /mw/ping` answers 401; `Display` is the `{"error"}` message.
#[derive(Debug)]
pub enum AuthError {
    /// No `Authorization` header (or one that is not visible ASCII).
    MissingHeader,
    /// The header is not `Bearer <token>`.
    NotBearer,
    /// The token failed to decode or verify: bad shape, algorithm other than
    /// HS256, bad signature, missing or expired `exp`, ...
    InvalidToken(jsonwebtoken::errors::Error),
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingHeader => f.write_str("missing Authorization header"),
            Self::NotBearer => f.write_str("Authorization header is not a Bearer token"),
            Self::InvalidToken(err) => write!(f, "invalid token: {err}"),
        }
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidToken(err) => Some(err),
            _ => None,
        }
    }
}

struct Verifier {
    key: DecodingKey,
    validation: Validation,
}

static VERIFIER: LazyLock<Verifier> = LazyLock::new(|| {
    // Validation::new(HS256) already pins the algorithm list to HS256 (so `none`,
    // HS384, RS256, ... fail with InvalidAlgorithm) and requires `exp`.
    let mut validation = Validation::new(Algorithm::HS256);
    // The crate's default 60 s leeway would accept a just-expired token; the
    // contract (and Go's golang-jwt) enforce `exp` exactly.
    validation.leeway = 0;
    // Like golang-jwt without WithAudience: an `aud` claim is not a reason to refuse.
    validation.validate_aud = false;
    // Like golang-jwt: a present `nbf` is enforced.
    validation.validate_nbf = true;
    Verifier {
        key: DecodingKey::from_secret(&crate::jwt_secret()),
        validation,
    }
});

/// Verifies the raw `Authorization` header value: `Ok` iff it is `Bearer <token>`
/// with an HS256 token signed with [`jwt_secret`](crate::jwt_secret) whose `exp`
/// is present and not past.
pub fn verify_bearer(header: Option<&str>) -> Result<(), AuthError> {
    let header = header.ok_or(AuthError::MissingHeader)?;
    let token = header
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
        .ok_or(AuthError::NotBearer)?;
    // The claims themselves are not used; IgnoredAny skips building them while
    // decode still checks `exp` on its own parse of the payload.
    decode::<IgnoredAny>(token, &VERIFIER.key, &VERIFIER.validation)
        .map(drop)
        .map_err(AuthError::InvalidToken)
}

#[cfg(test)]
mod tests {
    use std::time::{SystemTime, UNIX_EPOCH};

    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::{Value, json};

    use super::*;

    fn now() -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    }

    fn token(alg: Algorithm, secret: &[u8], claims: &Value) -> String {
        encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret)).unwrap()
    }

    fn hs256(claims: &Value) -> String {
        token(Algorithm::HS256, &crate::jwt_secret(), claims)
    }

    fn bearer(token: &str) -> Result<(), AuthError> {
        verify_bearer(Some(&format!("Bearer {token}")))
    }

    fn b64(v: &Value) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
    }

    #[test]
    fn valid_token() {
        let t = hs256(&json!({"sub": "podium", "exp": now() + 300}));
        bearer(&t).unwrap();
        verify_bearer(Some(&format!("bearer {t}"))).unwrap();
    }

    #[test]
    fn aud_and_past_nbf_do_not_matter() {
        let t = hs256(&json!({"aud": "x", "nbf": now() - 10, "exp": now() + 300}));
        bearer(&t).unwrap();
    }

    #[test]
    fn future_nbf_is_refused() {
        let t = hs256(&json!({"nbf": now() + 300, "exp": now() + 600}));
        assert!(bearer(&t).is_err());
    }

    #[test]
    fn expired_token_even_by_seconds() {
        for ago in [3600, 5] {
            let t = hs256(&json!({"exp": now() - ago}));
            let err = bearer(&t).unwrap_err();
            assert!(err.to_string().contains("ExpiredSignature"), "{err}");
        }
    }

    #[test]
    fn exp_is_required() {
        let t = hs256(&json!({"sub": "podium"}));
        let err = bearer(&t).unwrap_err();
        assert!(err.to_string().contains("exp"), "{err}");
        let t = hs256(&json!({"exp": "tomorrow"}));
        assert!(bearer(&t).is_err());
    }

    #[test]
    fn other_algorithms_are_refused() {
        let claims = json!({"exp": now() + 300});
        for alg in [Algorithm::HS384, Algorithm::HS512] {
            let t = token(alg, &crate::jwt_secret(), &claims);
            let err = bearer(&t).unwrap_err();
            assert!(
                err.to_string().contains("InvalidAlgorithm"),
                "{alg:?}: {err}"
            );
        }
        // RS256 and ES256 headers over an HMAC-looking signature: refused on the
        // algorithm before any key is needed.
        for alg in ["RS256", "ES256", "PS256", "EdDSA"] {
            let t = format!(
                "{}.{}.c2lnbmF0dXJl",
                b64(&json!({"alg": alg, "typ": "JWT"})),
                b64(&claims)
            );
            assert!(bearer(&t).is_err(), "{alg} accepted");
        }
    }

    #[test]
    fn alg_none_is_refused() {
        let claims = json!({"exp": now() + 300});
        for alg in ["none", "None", "NONE"] {
            let head = b64(&json!({"alg": alg, "typ": "JWT"}));
            for t in [
                format!("{head}.{}.", b64(&claims)),
                format!("{head}.{}", b64(&claims)),
            ] {
                assert!(bearer(&t).is_err(), "{t} accepted");
            }
        }
    }

    #[test]
    fn bad_signature() {
        let claims = json!({"exp": now() + 300});
        let t = token(Algorithm::HS256, b"some-other-secret", &claims);
        let err = bearer(&t).unwrap_err();
        assert!(err.to_string().contains("InvalidSignature"), "{err}");
        // A valid token whose payload was swapped after signing.
        let good = hs256(&claims);
        let parts: Vec<&str> = good.split('.').collect();
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            b64(&json!({"exp": now() + 9999})),
            parts[2]
        );
        assert!(bearer(&forged).is_err());
    }

    #[test]
    fn malformed_or_missing() {
        assert!(matches!(verify_bearer(None), Err(AuthError::MissingHeader)));
        for header in [
            "",
            "Bearer",
            "Bearer ",
            "Basic dXNlcjpwYXNz",
            "Token abc",
            "abc",
        ] {
            assert!(
                matches!(verify_bearer(Some(header)), Err(AuthError::NotBearer)),
                "{header:?}"
            );
        }
        for t in ["abc", "a.b", "a.b.c", "a.b.c.d", "...", "e30.e30.e30"] {
            assert!(
                matches!(bearer(t), Err(AuthError::InvalidToken(_))),
                "{t:?} accepted"
            );
        }
    }
}
