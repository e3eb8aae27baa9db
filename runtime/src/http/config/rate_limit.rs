//! Rate-limit and `Retry-After` response headers.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

/// The rate-limit state the server reported with a response.
///
/// Each field is `None` when its header is missing or is not a non-negative integer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RateLimit {
    /// `X-RateLimit-Limit-Minute`: requests allowed per minute.
    pub limit_minute: Option<u64>,
    /// `X-RateLimit-Remaining-Minute`: requests left in the current minute.
    pub remaining_minute: Option<u64>,
    /// `X-RateLimit-Limit-Day`: requests allowed per day.
    pub limit_day: Option<u64>,
    /// `X-RateLimit-Remaining-Day`: requests left in the current day.
    pub remaining_day: Option<u64>,
}

impl RateLimit {
    /// Reads the four `X-RateLimit-*` headers. Never fails: a missing or malformed header
    /// gives `None` for its field.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        // One pass over the headers (cheaper than four lookups); the first value of each
        // header counts, as with `HeaderMap::get`.
        let mut limit = Self::default();
        let mut seen = 0_u8;
        for (name, value) in headers {
            let Some(name) = name.as_str().strip_prefix("x-ratelimit-") else {
                continue;
            };
            let (field, bit) = match name {
                "limit-minute" => (&mut limit.limit_minute, 1),
                "remaining-minute" => (&mut limit.remaining_minute, 2),
                "limit-day" => (&mut limit.limit_day, 4),
                "remaining-day" => (&mut limit.remaining_day, 8),
                _ => continue,
            };
            if seen & bit == 0 {
                seen |= bit;
                *field = header_u64(value);
            }
        }
        limit
    }
}

/// A non-negative integer, with optional spaces or tabs around it.
fn header_u64(value: &HeaderValue) -> Option<u64> {
    let digits = value.as_bytes().trim_ascii();
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0_u64, |number, &byte| {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        number.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// The value of a `Retry-After` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RetryAfter {
    /// A delay given in whole seconds.
    Delay(Duration),
    /// A point in time given as an HTTP date.
    At(SystemTime),
}

impl RetryAfter {
    /// Reads the `Retry-After` header; `None` when it is missing or malformed.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        Self::parse(headers.get(RETRY_AFTER)?.to_str().ok()?)
    }

    /// Parses a `Retry-After` value: a non-negative number of seconds or an HTTP date.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            return value
                .parse()
                .ok()
                .map(|s| Self::Delay(Duration::from_secs(s)));
        }
        httpdate::parse_http_date(value).ok().map(Self::At)
    }

    /// How long to wait, counted from `now`; zero for a date already past.
    pub fn delay_from(&self, now: SystemTime) -> Duration {
        match *self {
            Self::Delay(delay) => delay,
            Self::At(at) => at.duration_since(now).unwrap_or(Duration::ZERO),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &[u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_bytes(value).unwrap());
        }
        map
    }

    #[test]
    fn rate_limit_reads_all_four_headers() {
        let map = headers(&[
            ("X-RateLimit-Limit-Minute", b"60"),
            ("X-RateLimit-Remaining-Minute", b" 59 "),
            ("X-RateLimit-Limit-Day", b"10000"),
            ("X-RateLimit-Remaining-Day", b"0"),
        ]);
        assert_eq!(
            RateLimit::from_headers(&map),
            RateLimit {
                limit_minute: Some(60),
                remaining_minute: Some(59),
                limit_day: Some(10000),
                remaining_day: Some(0),
            }
        );
    }

    #[test]
    fn rate_limit_takes_the_first_of_repeated_headers() {
        let map = headers(&[
            ("X-RateLimit-Limit-Minute", b"60"),
            ("X-RateLimit-Limit-Minute", b"70"),
            ("X-RateLimit-Remaining-Minute", b"x"),
            ("X-RateLimit-Remaining-Minute", b"5"),
        ]);
        let limit = RateLimit::from_headers(&map);
        assert_eq!(limit.limit_minute, Some(60));
        assert_eq!(limit.remaining_minute, None);
    }

    #[test]
    fn rate_limit_missing_headers_are_none() {
        assert_eq!(
            RateLimit::from_headers(&HeaderMap::new()),
            RateLimit::default()
        );
        let map = headers(&[("X-RateLimit-Remaining-Day", b"7")]);
        assert_eq!(
            RateLimit::from_headers(&map),
            RateLimit {
                remaining_day: Some(7),
                ..RateLimit::default()
            }
        );
    }

    #[test]
    fn rate_limit_malformed_headers_are_none() {
        let map = headers(&[
            ("X-RateLimit-Limit-Minute", b"-1"),
            ("X-RateLimit-Remaining-Minute", b"1.5"),
            ("X-RateLimit-Limit-Day", b"99999999999999999999999"),
            ("X-RateLimit-Remaining-Day", b"\xff\xfe"),
        ]);
        assert_eq!(RateLimit::from_headers(&map), RateLimit::default());
        let map = headers(&[("X-RateLimit-Limit-Minute", b"")]);
        assert_eq!(RateLimit::from_headers(&map), RateLimit::default());
    }

    #[test]
    fn retry_after_seconds() {
        let map = headers(&[("Retry-After", b"120")]);
        let retry = RetryAfter::from_headers(&map).unwrap();
        assert_eq!(retry, RetryAfter::Delay(Duration::from_secs(120)));
        assert_eq!(
            retry.delay_from(SystemTime::now()),
            Duration::from_secs(120)
        );
        assert_eq!(
            RetryAfter::parse("0"),
            Some(RetryAfter::Delay(Duration::ZERO))
        );
    }

    #[test]
    fn retry_after_http_date() {
        let map = headers(&[("Retry-After", b"Sun, 06 Nov 1994 08:49:37 GMT")]);
        let retry = RetryAfter::from_headers(&map).unwrap();
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(retry, RetryAfter::At(at));
        let earlier = at - Duration::from_secs(30);
        assert_eq!(retry.delay_from(earlier), Duration::from_secs(30));
        let later = at + Duration::from_secs(30);
        assert_eq!(retry.delay_from(later), Duration::ZERO);
    }

    #[test]
    fn retry_after_malformed_is_none() {
        assert_eq!(RetryAfter::from_headers(&HeaderMap::new()), None);
        for bad in ["", "-5", "1.5", "soon", "99999999999999999999999"] {
            assert_eq!(RetryAfter::parse(bad), None, "{bad:?}");
        }
    }
}
