//! The timer of a datagram link (pgm, epgm, norm): one tokio sleep,
//! re-armed only when the machine's next deadline moves.

use std::pin::Pin;
use std::task::Context;
use std::time::Instant;

use tokio::time::Sleep;

/// A sleep armed for a machine's next deadline.
pub(crate) struct Deadline {
    sleep: Pin<Box<Sleep>>,
    armed: Option<Instant>,
}

impl Deadline {
    pub(crate) fn new() -> Self {
        Self {
            sleep: Box::pin(tokio::time::sleep_until(tokio::time::Instant::now())),
            armed: None,
        }
    }

    /// Registers the task to be woken at `next` (the machine's next
    /// deadline, `None` for none). A deadline already due wakes it at
    /// once: the driver's write that follows sends what is due, then polls
    /// the timer again.
    pub(crate) fn wake_at(&mut self, cx: &mut Context<'_>, next: Option<Instant>, now: Instant) {
        let Some(next) = next else {
            self.armed = None;
            return;
        };
        if next <= now {
            self.armed = None;
            cx.waker().wake_by_ref();
            return;
        }
        if self.armed != Some(next) {
            self.sleep
                .as_mut()
                .reset(tokio::time::Instant::from_std(next));
            self.armed = Some(next);
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            self.armed = None;
            cx.waker().wake_by_ref();
        }
    }
}
