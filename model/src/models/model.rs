//! The topology as a stateright model: its initial state, the actions the
//! checker explores from each state (the transitions are
//! [`Topology`]'s), and the properties its scenario checks.

use std::collections::BTreeSet;

use stateright::{Model, Property};

use super::properties::property;
use super::topology::{Action, Ghost, Role, State, TOPICS, Topology};
use crate::{Socket, SocketOption, SocketType, Subscriptions};

impl Model for Topology {
    type State = State;
    type Action = Action;

    fn init_states(&self) -> Vec<State> {
        let n = self.nodes.len();
        let mut sockets = Vec::with_capacity(n);
        for node in &self.nodes {
            let Ok(mut sock) = Socket::new(node.socket_type, node.options.clone()) else {
                return Vec::new();
            };
            for topic in &node.subscribe {
                let _ = if node.socket_type == SocketType::Dish {
                    sock.join(topic.clone())
                } else {
                    sock.set_option(SocketOption::Subscribe(topic.clone()))
                };
            }
            sockets.push(sock);
        }
        let mut s = State {
            sockets,
            wires: vec![Default::default(); self.links.len()],
            up: vec![false; self.links.len()],
            generation: vec![0; self.links.len()],
            disconnects_left: self.disconnects,
            sub_changes_left: self.sub_changes,
            pending: vec![None; n],
            ghost: Ghost {
                sent: vec![0; n],
                received: vec![BTreeSet::new(); n],
                outstanding: vec![0; n],
                last_request: vec![None; n],
                view: vec![Subscriptions::new(); self.links.len()],
                ..Ghost::default()
            },
        };
        for (i, link) in self.links.iter().enumerate() {
            if link.initially_up {
                let _ = self.attach(&mut s, i);
            }
        }
        vec![s]
    }

    fn actions(&self, s: &State, actions: &mut Vec<Action>) {
        for (n, node) in self.nodes.iter().enumerate() {
            match node.role {
                Role::Source => self.sends(s, n, actions),
                Role::Client | Role::Peer => {
                    self.sends(s, n, actions);
                    self.recvs(s, n, Action::Recv, actions);
                }
                Role::Sink => {
                    self.recvs(s, n, Action::Recv, actions);
                    if matches!(node.socket_type, SocketType::Sub | SocketType::Dish)
                        && s.sub_changes_left > 0
                    {
                        actions.extend(TOPICS.iter().map(|t| Action::Toggle(n, *t)));
                    }
                }
                Role::Server => {
                    if s.pending[n].is_some() {
                        actions.push(Action::Reply(n));
                    } else {
                        self.recvs(s, n, Action::Recv, actions);
                    }
                }
                Role::Proxy { .. } => self.recvs(s, n, Action::Forward, actions),
            }
        }
        for l in 0..self.links.len() {
            if s.up[l] {
                for dir in 0..2 {
                    let (from, _) = self.ends(l, dir);
                    let peer = self.peer_at(s, l, from);
                    if s.wires[l][dir].len() < self.wire_capacity
                        && s.sockets[from].queued_items_out(peer) > 0
                    {
                        actions.push(Action::Transmit(l, dir));
                    }
                    if !s.wires[l][dir].is_empty() {
                        actions.push(Action::Deliver(l, dir));
                    }
                }
                if s.disconnects_left > 0 {
                    actions.push(Action::Disconnect(l));
                }
            } else {
                actions.push(Action::Reconnect(l));
            }
        }
    }

    fn next_state(&self, last: &State, action: Action) -> Option<State> {
        let mut s = last.clone();
        self.step(&mut s, action)?;
        // Drain events: the models have no handover and resume reading by
        // retrying delivery.
        for sock in &mut s.sockets {
            while sock.poll_event().is_some() {}
        }
        Some(s)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        self.checks.iter().map(|c| property(*c)).collect()
    }
}
