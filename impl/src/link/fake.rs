//! A link that reports what a script says, for the driver's tests and the
//! `socket_core` fuzz target: no socket, no wire, only the events a link
//! reports and what the driver gives it to write.

use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll, Waker};

use zmtp_model::{Outgoing, PeerId};
use zmtp_spec::Message;
use zmtp_spec::connection::ErrorReason;

use super::{Input, Link};
use crate::Socket;
use crate::driver::Driver;

/// What the test and its link share.
#[derive(Default)]
pub(crate) struct Script {
    /// What the link will report, in order.
    pub(crate) inputs: VecDeque<Input>,
    /// The link reports end of input once `inputs` is empty.
    pub(crate) eof: bool,
    /// What the driver gave the link to write.
    pub(crate) sent: Vec<Outgoing>,
    pub(crate) closed: Option<Option<ErrorReason>>,
    pub(crate) waker: Option<Waker>,
}

#[derive(Clone, Default)]
pub(crate) struct Fake(Arc<Mutex<Script>>);

impl Fake {
    pub(crate) fn script(&self) -> std::sync::MutexGuard<'_, Script> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn push(&self, input: Input) {
        let mut s = self.script();
        s.inputs.push_back(input);
        if let Some(w) = s.waker.take() {
            w.wake();
        }
    }

    /// The peer goes away (the link reads end of input).
    pub(crate) fn hang_up(&self) {
        let mut s = self.script();
        s.eof = true;
        if let Some(w) = s.waker.take() {
            w.wake();
        }
    }

    pub(crate) fn sent_messages(&self) -> Vec<Message> {
        self.script()
            .sent
            .iter()
            .filter_map(|o| match o {
                Outgoing::Message(m) => Some(m.clone()),
                _ => None,
            })
            .collect()
    }
}

/// A link that reports what the test scripted, one input per read.
pub(crate) struct FakeLink {
    fake: Fake,
    ready: VecDeque<Input>,
}

impl Link for FakeLink {
    fn poll_read(&mut self, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        let mut s = self.fake.script();
        if let Some(input) = s.inputs.pop_front() {
            self.ready.push_back(input);
            return Poll::Ready(Ok(()));
        }
        if s.eof {
            return Poll::Ready(Err(io::ErrorKind::UnexpectedEof.into()));
        }
        s.waker = Some(cx.waker().clone());
        Poll::Pending
    }

    fn poll_event(&mut self) -> Option<Input> {
        self.ready.pop_front()
    }

    fn send(&mut self, item: Outgoing) {
        self.fake.script().sent.push(item);
    }

    fn wants_more(&self) -> bool {
        true
    }

    fn poll_write(&mut self, _: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_timer(&mut self, _: &mut TaskContext<'_>) {}

    fn close(&mut self, reason: Option<ErrorReason>) {
        self.fake.script().closed = Some(reason);
    }

    fn is_closed(&self) -> bool {
        self.fake.script().closed.is_some()
    }

    fn has_output(&self) -> bool {
        false
    }
}

/// Starts a driver for `id` on a fake link; returns the link's script.
pub(crate) fn drive(socket: &Socket, id: PeerId, connect_side: bool) -> Fake {
    let fake = Fake::default();
    let link = FakeLink {
        fake: fake.clone(),
        ready: VecDeque::new(),
    };
    let driver = Driver::new(
        Arc::clone(&socket.shared),
        id,
        link,
        "fake://".to_owned(),
        None,
        connect_side,
        None,
    );
    socket.shared.ctx.handle.spawn(driver);
    fake
}
