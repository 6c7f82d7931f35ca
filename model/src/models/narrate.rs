//! Counterexamples and bounds in words: what a learner reads when the
//! checker finds a broken property (`zmtp-model check SCENARIO --mutant
//! NAME`), instead of the actions' and states' Rust Debug.

use std::fmt;

use bytes::Bytes;

use super::catalog::Bounds;
use super::topology::{Action, Role, State, Topology};
use crate::{Outgoing, PeerId};

impl fmt::Display for Bounds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(
            f,
            "{} on the many side, {} per sending application, high-water mark {}, {}, wires of at most {}, {}",
            plural(self.peers, "peer", "peers"),
            plural(usize::from(self.messages), "message", "messages"),
            self.hwm,
            plural(
                usize::from(self.disconnects),
                "connection break",
                "connection breaks"
            ),
            plural(self.wire, "item", "items"),
            plural(
                usize::from(self.sub_changes),
                "subscription change",
                "subscription changes"
            ),
        )
    }
}

/// The octets of a frame or topic as a reader sees them: printable ASCII
/// as text, anything else as hex.
fn shown(b: &Bytes) -> String {
    if b.is_empty() {
        return "(empty)".into();
    }
    let text: String = b
        .iter()
        .map(|&c| {
            if c.is_ascii_graphic() {
                char::from(c).to_string()
            } else {
                format!("\\x{c:02x}")
            }
        })
        .collect();
    format!("\"{text}\"")
}

/// An item on a wire, in words.
fn item(o: &Outgoing) -> String {
    match o {
        Outgoing::Message(m) => {
            let frames: Vec<String> = m.frames().iter().map(shown).collect();
            format!("the message [{}]", frames.join(", "))
        }
        Outgoing::Subscribe(t) => format!("a subscription to {}", shown(t)),
        Outgoing::Cancel(t) => format!("the cancel of {}", shown(t)),
        Outgoing::Join(g) => format!("a JOIN of group {}", shown(g)),
        Outgoing::Leave(g) => format!("a LEAVE of group {}", shown(g)),
    }
}

impl Topology {
    /// Node `n` as a reader knows it: its index and socket type.
    pub fn node_name(&self, n: usize) -> String {
        format!("node {n} ({})", self.nodes[n].socket_type)
    }

    /// Link `link` as a reader knows it: which node connects to which.
    fn link_name(&self, link: usize) -> String {
        let l = &self.links[link];
        format!(
            "link {link} ({} connects to {})",
            self.node_name(l.connector),
            self.node_name(l.binder)
        )
    }

    /// Which node the peer id `peer` at node `n` stands for, in `s`.
    fn peer_name(&self, s: &State, n: usize, peer: PeerId) -> String {
        for (i, l) in self.links.iter().enumerate() {
            if (l.connector == n || l.binder == n) && self.peer_at(s, i, n) == peer {
                let other = if l.connector == n {
                    l.binder
                } else {
                    l.connector
                };
                return format!("peer {} ({})", peer.0, self.node_name(other));
            }
        }
        format!("peer {}", peer.0)
    }

    /// What `action` does when taken in state `s`, in a sentence.
    pub fn narrate(&self, s: &State, action: &Action) -> String {
        match *action {
            Action::Send(n, via) => {
                let seq = s.ghost.sent.get(n).copied().unwrap_or(0);
                let what = match self.nodes[n].role {
                    Role::Client => "request",
                    Role::Server => "reply",
                    _ => "message",
                };
                let how = match via {
                    Some(p) => {
                        format!(", which the machine queues for {}", self.peer_name(s, n, p))
                    }
                    None => String::new(),
                };
                format!(
                    "the application at {} sends its {what} number {seq}{how}",
                    self.node_name(n)
                )
            }
            Action::Recv(n, from) => {
                let whence = match from {
                    Some(p) => format!(" from {}", self.peer_name(s, n, p)),
                    None => " through the fair queue".into(),
                };
                format!("the application at {} receives{whence}", self.node_name(n))
            }
            Action::Reply(n) => format!(
                "the application at {} answers the request it read",
                self.node_name(n)
            ),
            Action::Forward(n, from) => {
                let partner = match self.nodes[n].role {
                    Role::Proxy { partner } => self.node_name(partner),
                    _ => "its partner".into(),
                };
                let whence = match from {
                    Some(p) => format!(" from {}", self.peer_name(s, n, p)),
                    None => String::new(),
                };
                format!(
                    "the proxy at {} receives{whence} and sends it on at {partner}",
                    self.node_name(n)
                )
            }
            Action::Toggle(n, topic) => {
                let t = Bytes::from(vec![topic]);
                let sock = &s.sockets[n];
                let (on, noun) = match sock.groups() {
                    Some(g) => (g.contains(&t), ("leaves", "joins", "group")),
                    None => (
                        sock.subscriptions().is_some_and(|x| x.count(&t) > 0),
                        ("cancels", "subscribes to", "topic"),
                    ),
                };
                let verb = if on { noun.0 } else { noun.1 };
                format!(
                    "the application at {} {verb} {} {}",
                    self.node_name(n),
                    noun.2,
                    shown(&t)
                )
            }
            Action::Transmit(link, dir) => {
                let (from, to) = self.ends(link, dir);
                let peer = self.peer_at(s, link, from);
                let what = s.sockets[from]
                    .outgoing(peer)
                    .next()
                    .map_or_else(|| "an item".into(), item);
                format!(
                    "the driver at {} writes {what} onto {} towards {}",
                    self.node_name(from),
                    self.link_name(link),
                    self.node_name(to)
                )
            }
            Action::Deliver(link, dir) => {
                let (from, to) = self.ends(link, dir);
                let what = s.wires[link][dir]
                    .front()
                    .map_or_else(|| "an item".into(), item);
                format!(
                    "{what} from {} reaches the machine at {}",
                    self.node_name(from),
                    self.node_name(to)
                )
            }
            Action::Disconnect(link) => format!(
                "{} breaks: what is on its wires is lost, the connecting side keeps its queues and retries, the binding side's peer departs",
                self.link_name(link)
            ),
            Action::Reconnect(link) => format!("{} connects again", self.link_name(link)),
        }
    }
}

#[cfg(test)]
mod tests;
