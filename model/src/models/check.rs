//! What a scenario checks: one value per property, named after the
//! requirement IDs it checks ([`super::properties`] makes the stateright
//! property of each).

/// A property a scenario may check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Check {
    /// 37-R41: messages arrive whole.
    Atomic,
    /// 37-R43: no message delivered twice to a node.
    NoDuplicate,
    /// 37-R44: in order per connection.
    Fifo,
    /// Queues never exceed SNDHWM / RCVHWM.
    Hwm,
    /// 30-R08, 28-R26: a load-balanced message goes to one peer only.
    OnePeer,
    /// 30-R18, 28-R12/R30/R37, 29-R32: the fair queue takes turns.
    FairQueue,
    /// 28-R01: REQ never has two requests outstanding.
    OneOutstanding,
    /// 28-R07, 28-R17: a reply reaches only the client that asked.
    ReplyToAsker,
    /// 28-R42: ROUTER_MANDATORY never drops to an unknown id silently.
    MandatoryReports,
    /// 37-R45, 29-R08: PUB queues only what matches a peer's subscriptions.
    PubFilters,
    /// 37-R50, 37-R51: the publisher's counts equal what it was sent.
    CountsBalance,
    /// 37-R47: SUB delivers nothing its subscriptions no longer match.
    NothingAfterCancel,
    /// 31-R10: PAIR has at most one peer.
    PairExclusive,
    /// 37-R56, 37-R57: CLIENT refuses multipart sends and delivers
    /// single-part messages only.
    SinglePart,
    /// 37-R52: RADIO queues a message only for peers that joined its group.
    GroupFilter,
    /// 37-R53: a peer whose JOIN RADIO processed gets the group's messages
    /// while it has room.
    JoinHonoured,
    /// 37-R54: DISH delivers no group after its LEAVE.
    NothingAfterLeave,
    /// No message is routed to a departed peer: it is in no send path and
    /// nothing is queued for it (28-R24, 28-R35, 30-R06, 31-R05; the
    /// peer lifecycle).
    NothingToDeparted,
    /// Sometimes: the application reads what a departed peer delivered.
    SomeDepartedRead,
    /// Sometimes: a message sent while every link was down arrives after a
    /// reconnect (queueing while away, 28-R22, 30-R04).
    SomeAwayDelivered,
    /// Sometimes: a client gets a reply.
    SomeReply,
    /// Sometimes: every request of every client is answered (no loss
    /// without breaks).
    AllReplied,
    /// Sometimes: a sink gets a message.
    SomeDelivery,
    /// Sometimes: a sink gets every message (no loss without breaks).
    AllDelivered,
    /// Sometimes: a send would block on a full queue.
    SomeBlock,
    /// Sometimes: ROUTER_MANDATORY reports an unknown routing id.
    SomeUnreachable,
}
