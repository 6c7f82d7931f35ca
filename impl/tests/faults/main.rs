//! The fault suite (issue 22 item 2): what each pattern promises under
//! hostile or broken peers, our figures beside libzmq 4.3.5's (through
//! pyzmq, `faults_baseline.py`) where they can be measured the same way.
//!
//! | module          | scenario                                             |
//! |-----------------|------------------------------------------------------|
//! | `handshakes`    | stalled handshakes, HANDSHAKE_IVL                    |
//! | `flood`         | 1 MiB messages into an unread PULL; MAXMSGSIZE       |
//! | `slow_frame`    | a declared 2^62-octet frame, sent slowly             |
//! | `hwm`           | PUSH, PUB, ROUTER_MANDATORY, XPUB_NODROP at HWM      |
//! | `cycles`        | connect / send one / close cycles against a ROUTER   |
//! | `subscriptions` | distinct subscriptions into an XPUB                  |
//! | `curve`         | replayed HELLO and INITIATE, a flood of bad HELLOs   |
//! | `restart`       | kill -9 and restart of the bind side of PUSH->PULL   |
//! | `network`       | a relay that delays, throttles, resets, black-holes  |
//!
//! Every scenario prints one line of figures (`support::report`) and
//! asserts the promise. The quick mode (the default, CI's) runs the
//! smaller counts; `ZMTP_FAULTS_FULL=1` runs the issue's. The unread-PONG
//! flood is `tests/pong_flood.rs`. docs/src/faults.md has the table.
//!
//! Linux only: memory is read from /proc/self/status, descriptors from
//! /proc/self/fd.
#![cfg(target_os = "linux")]

#[path = "../common/child.rs"]
#[allow(dead_code)]
mod child;
#[path = "../common/pyzmq.rs"]
mod pyzmq;

mod support;
mod wire;

mod curve;
mod cycles;
mod flood;
mod handshakes;
mod hwm;
mod network;
mod restart;
mod slow_frame;
mod subscriptions;
