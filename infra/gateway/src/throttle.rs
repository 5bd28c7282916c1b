//! API Gateway's route throttling: one token bucket per route.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::template::Throttle;

/// Token buckets by route key.
#[derive(Default)]
pub struct Buckets {
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl Buckets {
    /// Takes a token for `route_key`; `false` means throttle (429).
    pub fn admit(&self, route_key: &str, throttle: Throttle) -> bool {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, last) = buckets
            .entry(route_key.to_owned())
            .or_insert((throttle.burst, now));
        let refilled =
            (*tokens + now.duration_since(*last).as_secs_f64() * throttle.rate).min(throttle.burst);
        *last = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            true
        } else {
            *tokens = refilled;
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_admitted_then_throttled() {
        let buckets = Buckets::default();
        let throttle = Throttle {
            rate: 0.001,
            burst: 3.0,
        };
        let admitted = (0..10)
            .filter(|_| buckets.admit("GET /x", throttle))
            .count();
        assert_eq!(admitted, 3);
        assert!(buckets.admit("GET /y", throttle), "buckets are per route");
    }
}
