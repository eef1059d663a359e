//! A rate limit per target (`--rate N/s`): requests are spaced evenly, 1/N seconds apart, across
//! every concurrent case, so a real region never sees bursts above the limit.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Even spacing of requests.
#[derive(Debug)]
pub struct RateLimit {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateLimit {
    /// At most `per_second` requests a second (must be positive).
    pub fn new(per_second: f64) -> RateLimit {
        RateLimit {
            interval: Duration::from_secs_f64(1.0 / per_second),
            next: Mutex::new(None),
        }
    }

    /// Waits for this request's slot.
    pub async fn acquire(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_by_the_interval() {
        let limit = RateLimit::new(10.0);
        let start = Instant::now();
        for _ in 0..5 {
            limit.acquire().await;
        }
        // The first goes at once, the fifth 4 intervals later (virtual time, so exact).
        assert_eq!(start.elapsed(), Duration::from_millis(400));
    }
}
