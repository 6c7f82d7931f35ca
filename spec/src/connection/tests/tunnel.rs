//! The post-handshake hooks of [`MechanismSession`], with a stand-in
//! mechanism that tunnels every frame in a MESSAGE command the way CURVE
//! does (G-C8, 37-R64), minus the cryptography: payload = flags (MORE
//! 0x01, COMMAND 0x02 as libzmq marks tunnelled commands) + frame body.

use super::*;
use crate::Message;
use crate::wire::{Frame, FrameKind, MechanismCommand};

#[derive(Debug)]
struct Tunnel;

impl Mechanism for Tunnel {
    fn name(&self) -> wire::Mechanism {
        wire::Mechanism::new(b"X-TUNNEL").expect("valid name")
    }
    fn start(
        &self,
        side: Side,
        behaviour: &Behaviour,
        rng: &mut dyn rand_core::CryptoRngCore,
    ) -> Box<dyn MechanismSession> {
        Box::new(TunnelSession(Null.start(side, behaviour, rng)))
    }
}

#[derive(Debug)]
struct TunnelSession(Box<dyn MechanismSession>);

const MESSAGE: &[u8] = b"\x07MESSAGE";

impl MechanismSession for TunnelSession {
    fn begin(&mut self, ctx: &HandshakeContext<'_>, out: &mut Vec<Command>) {
        self.0.begin(ctx, out);
    }
    fn handle(
        &mut self,
        command: Command,
        ctx: &HandshakeContext<'_>,
        out: &mut Vec<Command>,
    ) -> Result<Progress, ConnectionError> {
        self.0.handle(command, ctx, out)
    }
    fn wraps_frames(&self) -> bool {
        true
    }
    fn wrap_frame(&mut self, frame: Frame) -> Result<Frame, ConnectionError> {
        let flags = match frame.kind {
            FrameKind::Message { more } => u8::from(more),
            FrameKind::Command => 0x02,
        };
        let mut body = MESSAGE.to_vec();
        body.push(flags);
        body.extend_from_slice(&frame.body);
        Ok(Frame::command(body))
    }
    fn unwrap_frame(&mut self, frame: Frame) -> Result<Frame, ConnectionError> {
        let payload = match frame.kind {
            FrameKind::Command if frame.body.starts_with(MESSAGE) => {
                frame.body.slice(MESSAGE.len()..)
            }
            // Clear-text frames are refused after the handshake (37-R64).
            _ => return Err(PeerError::UnexpectedCommand("a clear-text frame").into()),
        };
        match payload.first() {
            Some(0x00) => Ok(Frame::message(payload.slice(1..), false)),
            Some(0x01) => Ok(Frame::message(payload.slice(1..), true)),
            Some(0x02) => Ok(Frame::command(payload.slice(1..))),
            _ => Err(PeerError::Malformed(wire::WireError::BadMechanismCommand {
                mechanism: "X-TUNNEL",
                command: "MESSAGE",
                rule: "flags",
            })
            .into()),
        }
    }
}

fn tunnel(socket_type: SocketType) -> Config {
    let mut c = config(socket_type);
    c.mechanism = Arc::new(Tunnel);
    c
}

#[test]
fn every_frame_after_the_handshake_is_wrapped_g_c8() {
    let mut client = tunnel(SocketType::Sub);
    client.heartbeat.interval = Some(core::time::Duration::from_secs(1));
    let mut p = active(client, tunnel(SocketType::XPub));
    let multipart = Message::from_frames([&b"a"[..], &b""[..], &b"c"[..]]);
    p.server.send_message(multipart.clone()).expect("open");
    p.client
        .send_command(Command::Subscribe(Bytes::from_static(b"t")))
        .expect("open");
    p.advance(core::time::Duration::from_millis(1500));
    assert!(p.is_active(), "{:?} {:?}", p.client_events, p.server_events);
    assert!(p.client_events.contains(&Event::Message(multipart)));
    assert!(
        p.server_events
            .contains(&Event::Subscribe(Bytes::from_static(b"t")))
    );
    // On the wire after READY: only MESSAGE commands, each way.
    for log in [&p.to_server, &p.to_client] {
        let after_ready: Vec<_> = commands(log).into_iter().skip(1).collect();
        assert!(after_ready.len() >= 2, "{after_ready:?}");
        assert!(after_ready.iter().all(|c| matches!(
            c,
            Command::Mechanism {
                name: MechanismCommand::Message,
                ..
            }
        )));
        assert!(messages(log, Greeting::LEN, Framing::Zmtp3).is_empty());
    }
}

#[test]
fn clear_text_frame_after_a_wrapping_handshake_is_refused() {
    let mut peer = greeting(1, Tunnel.name());
    peer.extend(ready("PUSH", &[]));
    peer.extend([0x00, 0x01, b'x']);
    at_every_split(
        &tunnel(SocketType::Pull),
        Side::Server,
        &peer,
        |conn, evs, sent| {
            assert!(conn.is_closed());
            assert_eq!(
                failure(&evs),
                Some(&ConnectionError::Peer(PeerError::UnexpectedCommand(
                    "a clear-text frame"
                )))
            );
            // The ERROR itself goes through the tunnel.
            assert!(commands(&sent).iter().any(|c| matches!(
            c,
            Command::Mechanism { name: MechanismCommand::Message, body } if body.starts_with(b"\x02\x05ERROR")
        )));
        },
    );
}

#[test]
fn reassembly_enforces_max_message_size() {
    let mut peer = greeting(1, Tunnel.name());
    peer.extend(ready("PUSH", &[]));
    for (flags, body) in [(1u8, [b'a'; 60]), (0, [b'b'; 60])] {
        let mut payload = vec![flags];
        payload.extend(body);
        peer.extend(command(&Command::Mechanism {
            name: MechanismCommand::Message,
            body: Bytes::from(payload),
        }));
    }
    let mut c = tunnel(SocketType::Pull);
    c.max_message_size = Some(100);
    let expected = malformed(wire::WireError::MessageTooLarge {
        size: 120,
        max: 100,
    });
    // The ERROR goes out tunnelled, so no clear-text ERROR is seen.
    refuses_at_every_split(&c, Side::Server, &peer, &expected, false);
}

/// The frame bound applies after unwrapping too: 41 empty frames, each
/// in its own MESSAGE, are too many for a limit of 40 octets; 40 pass.
/// (The limit also meets each wire frame, the READY included.)
#[test]
fn reassembly_bounds_the_number_of_frames() {
    let frames = |n: usize| {
        let mut peer = greeting(1, Tunnel.name());
        peer.extend(ready("PUSH", &[]));
        for i in 0..n {
            peer.extend(command(&Command::Mechanism {
                name: MechanismCommand::Message,
                body: Bytes::from(vec![u8::from(i + 1 < n)]),
            }));
        }
        peer
    };
    let mut c = tunnel(SocketType::Pull);
    c.max_message_size = Some(40);
    at_every_split(&c, Side::Server, &frames(40), |conn, evs, _| {
        assert_eq!(conn.state(), State::Active, "{evs:?}");
        assert!(
            evs.iter()
                .any(|e| matches!(e, Event::Message(m) if m.len() == 40))
        );
    });
    let expected = malformed(wire::WireError::TooManyFrames { max: 40 });
    refuses_at_every_split(&c, Side::Server, &frames(41), &expected, false);
}
