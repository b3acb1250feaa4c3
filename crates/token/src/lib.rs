//! HS256 JSON Web Tokens, as the subject contract's `/mw/ping` expects them.
//!
//! Podium mints tokens itself (for the verifier's checks and for load workloads that
//! use `{{token}}`) instead of pulling in a general JWT library: the contract needs
//! exactly one algorithm, plus a few deliberately *wrong* tokens (expired, `alg: none`,
//! another algorithm, a bad signature) that a general library refuses to produce.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

/// The secret subjects use when `$JWT_SECRET` is not set.
pub const DEFAULT_SECRET: &str = "podium-jwt-secret-for-benchmarks-only";

/// The secret to sign with: `$JWT_SECRET` when set and non-empty, else [`DEFAULT_SECRET`].
pub fn secret_from_env() -> String {
    std::env::var("JWT_SECRET")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_SECRET.to_string())
}

/// Seconds since the Unix epoch.
pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The signing algorithm written into a token's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// HMAC-SHA256, the only algorithm the contract accepts.
    Hs256,
    /// HMAC-SHA384: a valid JWT algorithm the contract must reject.
    Hs384,
    /// The unsecured `none` algorithm (empty signature) the contract must reject.
    None,
}

impl Algorithm {
    fn header_name(self) -> &'static str {
        match self {
            Algorithm::Hs256 => "HS256",
            Algorithm::Hs384 => "HS384",
            Algorithm::None => "none",
        }
    }
}

/// Builds a signed token with the given algorithm and claims.
pub fn encode(alg: Algorithm, claims: &Value, secret: &[u8]) -> String {
    let header = json!({"alg": alg.header_name(), "typ": "JWT"});
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = match alg {
        Algorithm::Hs256 => {
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret)
                .expect("HMAC accepts keys of any length");
            mac.update(signing_input.as_bytes());
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        }
        Algorithm::Hs384 => {
            let mut mac = Hmac::<sha2::Sha384>::new_from_slice(secret)
                .expect("HMAC accepts keys of any length");
            mac.update(signing_input.as_bytes());
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        }
        Algorithm::None => String::new(),
    };
    format!("{signing_input}.{signature}")
}

/// A valid HS256 token for `subject`, expiring `ttl_secs` from now.
pub fn mint(secret: &[u8], subject: &str, ttl_secs: i64) -> String {
    let now = now_unix();
    encode(
        Algorithm::Hs256,
        &json!({"sub": subject, "iat": now, "exp": now + ttl_secs}),
        secret,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected value computed independently with Python's hmac + base64 modules.
    #[test]
    fn hs256_token_matches_an_independent_implementation() {
        let token = encode(
            Algorithm::Hs256,
            &json!({"sub": "1234567890"}),
            b"your-256-bit-secret",
        );
        assert_eq!(
            token,
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
        );
    }

    #[test]
    fn none_algorithm_has_an_empty_signature() {
        let token = encode(Algorithm::None, &json!({"exp": 1}), b"k");
        assert!(token.ends_with('.'));
        assert_eq!(token.matches('.').count(), 2);
    }

    #[test]
    fn minted_token_carries_expiry_in_the_future() {
        let token = mint(b"k", "podium", 60);
        let claims: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(token.split('.').nth(1).unwrap())
                .unwrap(),
        )
        .unwrap();
        assert!(claims["exp"].as_i64().unwrap() > now_unix());
    }
}
