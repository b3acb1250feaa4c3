/// The request-id header, lower-case as HTTP/1.1 header names are matched case-insensitively.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// A fresh request id: a random (v4) UUID, the same shape tower-http's `MakeRequestUuid` makes.
pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_non_empty_and_distinct() {
        let (a, b) = (new_request_id(), new_request_id());
        assert!(!a.is_empty());
        assert_ne!(a, b);
    }
}
