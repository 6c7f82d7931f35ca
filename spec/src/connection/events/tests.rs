use std::collections::VecDeque;

use bytes::Bytes;

use super::EventQueue;
use crate::Message;
use crate::connection::event::Event;

fn msg(n: u8) -> Message {
    Message::from(vec![n])
}

fn sub(n: u8) -> Event {
    Event::Subscribe(Bytes::from(vec![n]))
}

/// A queue fed `events` in order.
fn queue(events: &[Event]) -> EventQueue {
    let mut q = EventQueue::default();
    for e in events {
        q.push(e.clone());
    }
    q
}

fn sample() -> Vec<Event> {
    vec![
        sub(0),
        Event::Message(msg(1)),
        Event::Message(msg(2)),
        sub(3),
        sub(4),
        Event::Message(msg(5)),
        Event::Closed,
    ]
}

#[test]
fn pop_gives_every_event_in_the_order_pushed() {
    let events = sample();
    let mut q = queue(&events);
    let popped: Vec<Event> = core::iter::from_fn(|| q.pop()).collect();
    assert_eq!(popped, events);
}

#[test]
fn a_run_stops_at_the_next_other_event() {
    let mut q = queue(&sample());
    let mut run = VecDeque::new();
    assert_eq!(q.take_messages(&mut run), 0, "a subscription comes first");
    assert_eq!(q.pop(), Some(sub(0)));
    assert_eq!(q.take_messages(&mut run), 2);
    assert_eq!(run, [msg(1), msg(2)]);
    assert_eq!(q.take_messages(&mut run), 0);
    assert_eq!(q.pop(), Some(sub(3)));
    assert_eq!(q.pop(), Some(sub(4)));
    assert_eq!(
        q.take_messages(&mut run),
        1,
        "appended behind what was there"
    );
    assert_eq!(run, [msg(1), msg(2), msg(5)]);
    assert_eq!(q.pop(), Some(Event::Closed));
    assert_eq!(q.pop(), None);
}

#[test]
fn runs_and_pops_mixed_keep_the_order() {
    // Every way of interleaving takes and pops over the sample gives the
    // same sequence as popping alone.
    let events = sample();
    for mask in 0u32..(1 << 10) {
        let mut q = queue(&events);
        let mut seen = Vec::new();
        for step in 0..100 {
            let mut run = VecDeque::new();
            if mask >> (step % 10) & 1 == 1 && q.take_messages(&mut run) > 0 {
                seen.extend(run.into_iter().map(Event::Message));
            } else if let Some(e) = q.pop() {
                seen.push(e);
            } else {
                break;
            }
        }
        assert_eq!(seen, events, "mask {mask:#b}");
    }
}

#[test]
fn a_whole_queue_of_messages_moves_by_swap_into_an_empty_run() {
    let mut q = EventQueue::default();
    for n in 0..100 {
        q.push_message(msg(n));
    }
    let mut run = VecDeque::new();
    assert_eq!(q.take_messages(&mut run), 100);
    assert_eq!(run.len(), 100);
    assert_eq!(run.front(), Some(&msg(0)));
    assert_eq!(q.pop(), None);
    // What comes after is counted from where the swap left off.
    q.push(sub(7));
    q.push_message(msg(8));
    assert_eq!(q.take_messages(&mut run), 0);
    assert_eq!(q.pop(), Some(sub(7)));
    assert_eq!(q.pop(), Some(Event::Message(msg(8))));
}
