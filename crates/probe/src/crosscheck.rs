//! Comparing the server's request counter with the load generator's count.

use serde::{Deserialize, Serialize};

/// Whether the server's `http_requests_total` agrees with the load generator.
///
/// Scraped just before the load starts and just after it ends, the counter's delta
/// covers every request the generator sent. The generator counts complete responses;
/// the server may count a few more: requests still in flight when the generator stopped
/// counting (at most one per connection) and requests that failed on the client's side
/// after the server had counted them. It must never count fewer: that means requests
/// go uncounted (a subject counting only 200s, or skipping a route). More than the
/// allowance means double counting or other traffic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestCrossCheck {
    /// Requests the server counted in the window.
    pub server_counted: u64,
    /// Responses the generator counted in the same window (warm-up included when it
    /// was inside the window).
    pub generator_counted: u64,
    /// `server_counted − generator_counted`.
    pub difference: i64,
    /// How many more the server may count: connections (requests in flight), plus any
    /// requests that got no response.
    pub allowance: u64,
    /// Whether `0 <= difference <= allowance`.
    pub consistent: bool,
    /// The verdict in words.
    pub note: String,
}

impl RequestCrossCheck {
    /// Compares the server's counter delta with the generator's count.
    pub fn new(server_delta: u64, generator_count: u64, in_flight_allowance: u64) -> Self {
        let difference = i128::from(server_delta) - i128::from(generator_count);
        let difference =
            i64::try_from(difference).unwrap_or(if difference < 0 { i64::MIN } else { i64::MAX });
        let consistent = (0..=i128::from(in_flight_allowance)).contains(&i128::from(difference));
        let note = if difference == 0 {
            format!("server and generator both counted {server_delta} requests")
        } else if difference < 0 {
            format!(
                "the server counted {} fewer requests than the generator got responses for \
                 ({server_delta} vs {generator_count}): the subject's http_requests_total \
                 misses requests (does it count only some statuses or routes?)",
                difference.unsigned_abs()
            )
        } else if consistent {
            format!(
                "the server counted {difference} more than the generator ({server_delta} vs \
                 {generator_count}), within the {in_flight_allowance} that may have been in \
                 flight or unanswered"
            )
        } else {
            format!(
                "the server counted {difference} more than the generator ({server_delta} vs \
                 {generator_count}), beyond the {in_flight_allowance} that may have been in \
                 flight or unanswered: the subject counts some requests twice, or other \
                 traffic reached it"
            )
        };
        Self {
            server_counted: server_delta,
            generator_counted: generator_count,
            difference,
            allowance: in_flight_allowance,
            consistent,
            note,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_counts_are_consistent() {
        let c = RequestCrossCheck::new(1000, 1000, 8);
        assert!(c.consistent);
        assert_eq!(c.difference, 0);
        assert!(c.note.contains("both counted 1000"));
    }

    #[test]
    fn server_may_count_up_to_the_allowance_more() {
        assert!(RequestCrossCheck::new(1008, 1000, 8).consistent);
        let over = RequestCrossCheck::new(1009, 1000, 8);
        assert!(!over.consistent);
        assert_eq!(over.difference, 9);
        assert!(over.note.contains("twice"), "{}", over.note);
    }

    #[test]
    fn server_counting_fewer_is_never_consistent() {
        let c = RequestCrossCheck::new(999, 1000, 8);
        assert!(!c.consistent);
        assert_eq!(c.difference, -1);
        assert!(c.note.contains("1 fewer"), "{}", c.note);
        // Double counting of half the requests is caught too.
        assert!(!RequestCrossCheck::new(2000, 1000, 8).consistent);
    }

    #[test]
    fn extreme_counts_do_not_overflow() {
        let c = RequestCrossCheck::new(u64::MAX, 0, 0);
        assert_eq!(c.difference, i64::MAX);
        assert!(!c.consistent);
        let c = RequestCrossCheck::new(0, u64::MAX, u64::MAX);
        assert_eq!(c.difference, i64::MIN);
        assert!(!c.consistent);
    }
}
