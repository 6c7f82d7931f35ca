//! # PUB, XPUB, SUB, XSUB (RFC 29)
//!
//! **Subscriptions** ([`crate::Subscriptions`]) match by prefix of the
//! first frame (37-R48, 29-R08), the empty topic matches all (37-R49), and
//! they are counted: two subscribes need two cancels (37-R50, 37-R51).
//!
//! **PUB** keeps one queue per subscriber and the subscriber's counted
//! subscriptions. A message goes, unchanged (29-R07), to every peer with a
//! matching subscription (37-R45), or none with INVERT_MATCHING; a peer
//! whose queue is full misses it (29-R09) and PUB never blocks (29-R10),
//! unless XPUB_NODROP. What subscribers send is discarded (29-R06). A ZMTP
//! 1.0 peer is subscribed to everything, since it cannot subscribe.
//!
//! **XPUB** is PUB that also delivers to the application: each new topic as
//! a `01`+topic message, and `00`+topic when no peer has it any more
//! (29-R24), including when a peer detaches (29-R25); XPUB_VERBOSE passes
//! every subscribe, XPUB_VERBOSER every cancel too; with XPUB_MANUAL the
//! application applies them with SUBSCRIBE/UNSUBSCRIBE for the peer whose
//! message it received last. Peers' other messages are fair-queued to the
//! application (29-R21, 29-R22). XPUB_WELCOME_MSG is queued to each new
//! peer.
//!
//! **SUB** sends SUBSCRIBE for a topic when its count goes from 0 to 1 and
//! CANCEL when it goes back to 0 (37-R46, 37-R47), to every publisher, and
//! all its topics again to a publisher that (re)connects. It keeps only
//! matching messages, drops them when a publisher's queue is full (29-R31),
//! fair-queues (29-R32) and changes nothing (29-R33). After an
//! unsubscribe, queued messages that no longer match are dropped.
//!
//! **XSUB** is SUB whose subscriptions come from the application as
//! `01`/`00` messages (29-R47, 29-R48): every subscribe is passed on, a
//! cancel when the topic's last count goes, as libzmq does; its other
//! messages go to every publisher with room, never blocking (29-R44..R46).
//!
//! Checked by: unit tests in `patterns/publish/tests.rs`,
//! `patterns/subscribe/tests.rs` and `subscriptions/tests.rs`; the
//! `pub-sub` and `xpub-xsub` (through a proxy) models (37-R45, 37-R47,
//! 37-R50/R51); the mutation test "PUB ignoring CANCEL".
//!
//! # Differences from libzmq
//!
//! - libzmq's publishers keep a *set* of topics per peer, so one CANCEL
//!   undoes any number of SUBSCRIBEs; ours count them (37-R51). Our SUB and
//!   XSUB send CANCEL only when their own count reaches zero, which is
//!   right for both kinds of publisher.
//! - libzmq's SUB stops reading a publisher whose queue is full (TCP
//!   pushes back); ours drops, as 29-R31 says.
