//! Rate-limit and `Retry-After` response headers.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};

/// Where a server reports its request budget, as the API's description names it (OpenAPI's
/// `x-rate-limit`): the header counting the requests left, the header with the budget, and
/// the window over which a spent budget comes back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quota {
    remaining: HeaderName,
    limit: Option<HeaderName>,
    window: Duration,
}

impl Quota {
    /// A budget whose requests left are in the header `remaining`, whose size is in the
    /// header `limit` if there is one, and which comes back `window` after it is spent.
    /// Header names are in lower case, as [`HeaderName::from_static`] wants.
    pub const fn new(
        remaining: &'static str,
        limit: Option<&'static str>,
        window: Duration,
    ) -> Self {
        Self {
            remaining: HeaderName::from_static(remaining),
            limit: match limit {
                Some(limit) => Some(HeaderName::from_static(limit)),
                None => None,
            },
            window,
        }
    }

    /// The window over which a spent budget comes back.
    pub fn window(&self) -> Duration {
        self.window
    }
}

/// The request budget the server reported with a response, read from the headers that the
/// client's [`Quota`] names.
///
/// Each field is `None` when its header is missing, is not a non-negative integer, or the
/// client has no quota.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub limit: Option<u64>,
    /// Requests left in the current window.
    pub remaining: Option<u64>,
}

impl RateLimit {
    /// Reads the budget from the headers `quota` names. Never fails: a missing or malformed
    /// header gives `None` for its field.
    pub fn read(headers: &HeaderMap, quota: Option<&Quota>) -> Self {
        let Some(quota) = quota else {
            return Self::default();
        };
        let number = |name: &HeaderName| headers.get(name).and_then(header_u64);
        Self {
            limit: quota.limit.as_ref().and_then(number),
            remaining: number(&quota.remaining),
        }
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

    const MINUTE: Quota = Quota::new(
        "x-ratelimit-remaining-minute",
        Some("x-ratelimit-limit-minute"),
        Duration::from_secs(60),
    );

    #[test]
    fn rate_limit_reads_the_headers_the_quota_names() {
        let map = headers(&[
            ("X-RateLimit-Limit-Minute", b"60"),
            ("X-RateLimit-Remaining-Minute", b" 59 "),
            ("X-RateLimit-Remaining-Day", b"0"),
        ]);
        assert_eq!(
            RateLimit::read(&map, Some(&MINUTE)),
            RateLimit {
                limit: Some(60),
                remaining: Some(59),
            }
        );
        assert_eq!(RateLimit::read(&map, None), RateLimit::default());
        let remaining_only = Quota::new(
            "x-ratelimit-remaining-day",
            None,
            Duration::from_secs(86_400),
        );
        assert_eq!(
            RateLimit::read(&map, Some(&remaining_only)),
            RateLimit {
                limit: None,
                remaining: Some(0),
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
        let limit = RateLimit::read(&map, Some(&MINUTE));
        assert_eq!(limit.limit, Some(60));
        assert_eq!(limit.remaining, None);
    }

    #[test]
    fn rate_limit_missing_headers_are_none() {
        assert_eq!(
            RateLimit::read(&HeaderMap::new(), Some(&MINUTE)),
            RateLimit::default()
        );
        let map = headers(&[("X-RateLimit-Remaining-Minute", b"7")]);
        assert_eq!(
            RateLimit::read(&map, Some(&MINUTE)),
            RateLimit {
                remaining: Some(7),
                ..RateLimit::default()
            }
        );
    }

    #[test]
    fn rate_limit_malformed_headers_are_none() {
        for value in [
            &b"-1"[..],
            b"1.5",
            b"99999999999999999999999",
            b"\xff\xfe",
            b"",
        ] {
            let map = headers(&[
                ("X-RateLimit-Limit-Minute", value),
                ("X-RateLimit-Remaining-Minute", value),
            ]);
            assert_eq!(RateLimit::read(&map, Some(&MINUTE)), RateLimit::default());
        }
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
