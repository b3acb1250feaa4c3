use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// Body of `POST /users`. Typed fields make serde reject a non-object body
/// (`null` included), a missing field and a wrongly typed one; unknown fields are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct CreateUser {
    pub name: String,
    pub email: String,
}

/// Why a well-formed `CreateUser` was refused; `Display` is the user-facing message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidationError {
    BlankName,
    BadEmail,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::BlankName => "name must not be blank",
            Self::BadEmail => "email must look like local@domain.tld",
        })
    }
}

impl std::error::Error for ValidationError {}

impl CreateUser {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.name.trim().is_empty() {
            return Err(ValidationError::BlankName);
        }
        if !is_email(&self.email) {
            return Err(ValidationError::BadEmail);
        }
        Ok(())
    }

    /// Validates and, when valid, turns the request into a user with a fresh id.
    pub fn create(self) -> Result<User, ValidationError> {
        self.validate()?;
        Ok(User {
            id: next_user_id(),
            name: self.name,
            email: self.email,
        })
    }
}

/// `local@domain.tld`: exactly one `@`, a non-empty local part and a domain without
/// white space, the domain holding at least one dot with a character on each side of
/// every dot.
fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let no_space = |s: &str| !s.chars().any(char::is_whitespace);
    !local.is_empty()
        && no_space(local)
        && no_space(domain)
        && !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty())
}

fn next_user_id() -> u64 {
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    // Relaxed is enough: only uniqueness is promised, not an order between threads.
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// A created user, the 201 body of `POST /users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: u64,
    pub name: String,
    pub email: String,
}

/// The body of `GET /users/{id}`; `id` stays the path segment string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserView {
    pub id: String,
    pub name: String,
}

pub fn get_user(id: &str) -> UserView {
    UserView {
        id: id.to_owned(),
        name: format!("user-{id}"),
    }
}

/// `{"error": "<message>"}`, the body of every 400/401/413 the contract describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    pub error: String,
}

impl ErrorBody {
    pub fn new(error: impl ToString) -> Self {
        Self {
            error: error.to_string(),
        }
    }
}

/// `{"message": "..."}`, the body of `GET /json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Message {
    pub message: &'static str,
}

pub const HELLO_WORLD: Message = Message {
    message: "Hello, World!",
};

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<CreateUser, serde_json::Error> {
        serde_json::from_str(body)
    }

    fn user(name: &str, email: &str) -> CreateUser {
        CreateUser {
            name: name.into(),
            email: email.into(),
        }
    }

    #[test]
    fn contract_email_examples() {
        assert!(is_email("a@b.co"));
        for bad in ["a@b", "@b.co", "a@.co", "a@b.", "a b@c.de"] {
            assert!(!is_email(bad), "{bad:?} accepted");
        }
    }

    #[test]
    fn more_email_shapes() {
        for good in ["first.last@sub.example.org", "x@y.z", "ü@bü.de"] {
            assert!(is_email(good), "{good:?} refused");
        }
        for bad in [
            "", "a", "a@@b.co", "a@b@c.co", "a@b..co", "a@.b.co", "a@b.co ", "a@b .co", " a@b.co",
            "a\t@b.co", "a@b.co\n",
        ] {
            assert!(!is_email(bad), "{bad:?} accepted");
        }
    }

    #[test]
    fn blank_names_are_refused() {
        for name in ["", " ", "\t\n ", "\u{3000}"] {
            assert_eq!(
                user(name, "a@b.co").validate(),
                Err(ValidationError::BlankName)
            );
        }
        assert_eq!(user(" x ", "a@b.co").validate(), Ok(()));
        assert_eq!(user("x", "a@b").validate(), Err(ValidationError::BadEmail));
    }

    #[test]
    fn decoding_rejects_what_the_contract_rejects() {
        for body in [
            "",
            "{",
            "not json",
            "null",
            "[]",
            "\"x\"",
            "42",
            r#"{"email":"a@b.co"}"#,
            r#"{"name":"x"}"#,
            r#"{"name":1,"email":"a@b.co"}"#,
            r#"{"name":"x","email":null}"#,
            r#"{"name":"x","email":["a@b.co"]}"#,
        ] {
            assert!(parse(body).is_err(), "{body:?} decoded");
        }
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let req = parse(r#"{"name":"Ada","email":"ada@example.org","age":36}"#).unwrap();
        assert_eq!(req.validate(), Ok(()));
    }

    #[test]
    fn created_users_get_unique_positive_ids() {
        let a = user("Ada", "ada@example.org").create().unwrap();
        let b = user("Bob", "bob@example.org").create().unwrap();
        assert!(a.id >= 1 && b.id >= 1);
        assert_ne!(a.id, b.id);
        assert_eq!(
            (a.name.as_str(), a.email.as_str()),
            ("Ada", "ada@example.org")
        );
        assert_eq!(
            serde_json::to_value(&b).unwrap(),
            serde_json::json!({"id": b.id, "name": "Bob", "email": "bob@example.org"})
        );
        assert_eq!(
            user(" ", "a@b.co").create(),
            Err(ValidationError::BlankName)
        );
    }

    #[test]
    fn get_user_echoes_the_segment() {
        assert_eq!(
            serde_json::to_value(get_user("42")).unwrap(),
            serde_json::json!({"id": "42", "name": "user-42"})
        );
    }
}
