//! The table of every socket option: the one place an option's libzmq
//! name and number, value type, default, socket types and layer are
//! written down.

/// Hands the table of every socket option to the macro `$then`.
///
/// Each entry gives, once, what the model and the driver both need:
/// the marker name (`SndHwm`), the libzmq name and number
/// (`ZMQ_SNDHWM = 23`), the value type and libzmq's default, the socket
/// types the option applies to (`all`, or a list as libzmq's
/// `zmq_setsockopt` accepts it) and, where a value can be refused, the
/// [`check`](crate::options::check) that refuses it. The sections say who
/// holds the value:
///
/// - `pattern`: the pattern machine, as a field of
///   [`Options`](crate::Options) changed by a
///   [`SocketOption`](crate::SocketOption);
/// - `action`: the pattern machine acts on it and stores nothing
///   (write-only);
/// - `stored`: the driver, as a plain field, for its connections
///   (`Connection`: what the spec connection machine is configured
///   with) or for itself (`Driver`: sockets, timers, the API);
/// - `security`: the driver's mechanism builder (`Connection`), which
///   decides how each value is kept;
/// - `read_only`: the driver reports it.
///
/// This crate builds [`Options`](crate::Options),
/// [`SocketOption`](crate::SocketOption) and
/// [`OPTIONS`](crate::options::OPTIONS) from it; the `zmtp` crate builds its
/// `opt::*` marker types and its own option fields from it. Value types
/// and defaults are written as the expanding module names them
/// (`Duration`, `Bytes`, `SocketType`, `MechanismKind`); this crate only
/// names the `pattern` and `action` ones. Entry docs of those two
/// sections appear in both crates, so they link to nothing.
#[macro_export]
macro_rules! option_table {
    ($then:ident) => {
        $then! {
            pattern {
                /// ZMQ_SNDHWM: the most messages queued for one peer for
                /// sending, counted as whole messages (0 = no limit).
                /// A change applies to every peer at once.
                SndHwm(sndhwm: u32 = 1000) ZMQ_SNDHWM = 23, all;
                /// ZMQ_RCVHWM: the most messages queued from one peer
                /// (0 = no limit). A change applies to every peer at once.
                RcvHwm(rcvhwm: u32 = 1000) ZMQ_RCVHWM = 24, all;
                /// ZMQ_CONNECT_ROUTING_ID (ROUTER, STREAM): the routing id given to
                /// the peer of the next connect, used once (1-255 octets,
                /// the first not zero; `None` clears it).
                ConnectRoutingId(connect_routing_id: Option<Bytes> = None)
                    ZMQ_CONNECT_ROUTING_ID = 61, [Router, Stream], check = connect_routing_id;
                /// ZMQ_STREAM_NOTIFY (STREAM): the application reads an
                /// empty message from a connection when it comes up and
                /// when it ends (90-R07, 90-R08).
                StreamNotify(stream_notify: bool = true)
                    ZMQ_STREAM_NOTIFY = 73, [Stream];
                /// ZMQ_ROUTER_MANDATORY (ROUTER): a send to an unknown
                /// routing id fails (host unreachable), and one to a full
                /// queue would block, instead of being dropped (28-R42).
                RouterMandatory(router_mandatory: bool = false)
                    ZMQ_ROUTER_MANDATORY = 33, [Router];
                /// ZMQ_ROUTER_HANDOVER (ROUTER): a new peer with a routing
                /// id in use takes it over; the old peer is disconnected.
                RouterHandover(router_handover: bool = false)
                    ZMQ_ROUTER_HANDOVER = 56, [Router];
                /// ZMQ_PROBE_ROUTER (ROUTER, DEALER, REQ): send an empty
                /// message to every new peer.
                ProbeRouter(probe_router: bool = false)
                    ZMQ_PROBE_ROUTER = 51, [Router, Dealer, Req];
                /// ZMQ_REQ_CORRELATE (REQ): prefix each request with a
                /// 4-octet request id and accept only the reply that
                /// carries it back.
                ReqCorrelate(req_correlate: bool = false) ZMQ_REQ_CORRELATE = 52, [Req];
                /// ZMQ_REQ_RELAXED (REQ): allow a new request while one is
                /// outstanding; the old request's reply is then discarded.
                ReqRelaxed(req_relaxed: bool = false) ZMQ_REQ_RELAXED = 53, [Req];
                /// ZMQ_XPUB_VERBOSE (XPUB): pass every subscription to the
                /// application, not only new topics.
                XPubVerbose(xpub_verbose: bool = false) ZMQ_XPUB_VERBOSE = 40, [XPub];
                /// ZMQ_XPUB_VERBOSER (XPUB): also pass every cancellation.
                XPubVerboser(xpub_verboser: bool = false) ZMQ_XPUB_VERBOSER = 78, [XPub];
                /// ZMQ_XPUB_MANUAL (XPUB): subscriptions take effect only
                /// when the application sets SUBSCRIBE/UNSUBSCRIBE, for the
                /// peer whose subscription message it received last.
                XPubManual(xpub_manual: bool = false) ZMQ_XPUB_MANUAL = 71, [XPub];
                /// ZMQ_XPUB_WELCOME_MSG (XPUB): a message queued to every
                /// new peer (`None` or an empty message clears it).
                XPubWelcomeMsg(xpub_welcome_msg: Option<Bytes> = None)
                    ZMQ_XPUB_WELCOME_MSG = 72, [XPub], check = welcome_msg;
                /// ZMQ_XPUB_NODROP (PUB, XPUB): a send that would overflow
                /// a matching peer's queue would block instead of dropping.
                XPubNoDrop(xpub_nodrop: bool = false) ZMQ_XPUB_NODROP = 69, [Pub, XPub];
                /// ZMQ_INVERT_MATCHING (PUB, XPUB, SUB): a subscription
                /// selects the messages it does not match.
                InvertMatching(invert_matching: bool = false)
                    ZMQ_INVERT_MATCHING = 74, [Pub, XPub, Sub];
                /// ZMQ_CONFLATE: keep only the newest message in each queue
                /// (HWMs are then ignored). Meant for single-part messages
                /// on PUSH, PULL, PUB, SUB and DEALER.
                Conflate(conflate: bool = false) ZMQ_CONFLATE = 54, all;
                /// ZMQ_IMMEDIATE: queue only to peers whose connection is
                /// up: a connect makes no peer before its handshake, and a
                /// lost connection detaches its peer.
                Immediate(immediate: bool = false) ZMQ_IMMEDIATE = 39, all;
            }
            action {
                /// ZMQ_SUBSCRIBE (write-only; SUB, and XPUB with
                /// XPUB_MANUAL): add a topic prefix; the empty prefix
                /// matches everything (37-R48, 37-R49, 37-R50).
                Subscribe(Bytes) ZMQ_SUBSCRIBE = 6, [Sub, XPub];
                /// ZMQ_UNSUBSCRIBE (write-only; SUB, and XPUB with
                /// XPUB_MANUAL): remove one earlier SUBSCRIBE of the same
                /// prefix (37-R51).
                Unsubscribe(Bytes) ZMQ_UNSUBSCRIBE = 7, [Sub, XPub];
            }
            stored {
                /// ZMQ_ROUTING_ID: the identity sent in READY to ROUTER
                /// peers (1-255 octets, the first not zero: 37-R34,
                /// 37-R35). Empty, the default, is none; as in libzmq an
                /// empty one cannot be set. Applies to connections made
                /// after it is set.
                RoutingId(routing_id: Bytes = Bytes::new())
                    ZMQ_ROUTING_ID = 5, Connection, all, check = routing_id;
                /// ZMQ_MAXMSGSIZE: the largest message accepted from a peer, in
                /// octets (`None` = no limit); a peer that sends more is
                /// disconnected. The limit covers the whole message, all its
                /// frame bodies together, and allows at most one frame per
                /// octet of it (one at least). libzmq checks each frame alone,
                /// so it takes a message of two 600-octet frames under a limit of
                /// 1000, and this socket does not. The whole-message bound is
                /// kept because a multipart message is gathered before it is
                /// delivered, and only that bound limits what a peer can make the
                /// socket hold (empty frames add no octets, hence the frame
                /// count). Each frame on the wire, commands included, is checked
                /// alone as well, as libzmq does. Under CURVE that wire frame is
                /// the encrypted one, 33 octets longer than its clear body.
                MaxMsgSize(maxmsgsize: Option<u64> = None) ZMQ_MAXMSGSIZE = 22, Connection, all;
                /// ZMQ_HEARTBEAT_IVL: send PING this often (`None` = off).
                HeartbeatIvl(heartbeat_ivl: Option<Duration> = None)
                    ZMQ_HEARTBEAT_IVL = 75, Connection, all;
                /// ZMQ_HEARTBEAT_TTL: the time-to-live announced in our PINGs.
                HeartbeatTtl(heartbeat_ttl: Option<Duration> = None)
                    ZMQ_HEARTBEAT_TTL = 76, Connection, all;
                /// ZMQ_HEARTBEAT_TIMEOUT: how long to wait for traffic after a
                /// PING (`None` = the interval).
                HeartbeatTimeout(heartbeat_timeout: Option<Duration> = None)
                    ZMQ_HEARTBEAT_TIMEOUT = 77, Connection, all;
                /// ZMQ_HANDSHAKE_IVL: the longest a handshake may take (`None` =
                /// forever; default 30 s).
                HandshakeIvl(handshake_ivl: Option<Duration> = Some(Duration::from_secs(30)))
                    ZMQ_HANDSHAKE_IVL = 66, Connection, all;
                /// ZMQ_LINGER: how long close keeps sending pending messages
                /// (`None`, the default, waits until they are sent).
                Linger(linger: Option<Duration> = None) ZMQ_LINGER = 17, Driver, all;
                /// ZMQ_RECONNECT_IVL: the first delay before reconnecting (`None`
                /// = never reconnect; default 100 ms).
                ReconnectIvl(reconnect_ivl: Option<Duration> = Some(Duration::from_millis(100)))
                    ZMQ_RECONNECT_IVL = 18, Driver, all;
                /// ZMQ_RECONNECT_IVL_MAX: the delay doubles after each failed
                /// attempt up to this (`None` = no backoff).
                ReconnectIvlMax(reconnect_ivl_max: Option<Duration> = None)
                    ZMQ_RECONNECT_IVL_MAX = 21, Driver, all;
                /// ZMQ_TCP_KEEPALIVE: SO_KEEPALIVE on (`Some(true)`), off, or the
                /// OS default (`None`).
                TcpKeepalive(tcp_keepalive: Option<bool> = None)
                    ZMQ_TCP_KEEPALIVE = 34, Driver, all;
                /// ZMQ_TCP_KEEPALIVE_CNT: TCP_KEEPCNT (`None` = OS default).
                TcpKeepaliveCnt(tcp_keepalive_cnt: Option<u32> = None)
                    ZMQ_TCP_KEEPALIVE_CNT = 35, Driver, all;
                /// ZMQ_TCP_KEEPALIVE_IDLE: TCP_KEEPIDLE (`None` = OS default).
                TcpKeepaliveIdle(tcp_keepalive_idle: Option<Duration> = None)
                    ZMQ_TCP_KEEPALIVE_IDLE = 36, Driver, all;
                /// ZMQ_TCP_KEEPALIVE_INTVL: TCP_KEEPINTVL (`None` = OS default).
                TcpKeepaliveIntvl(tcp_keepalive_intvl: Option<Duration> = None)
                    ZMQ_TCP_KEEPALIVE_INTVL = 37, Driver, all;
                /// ZMQ_SNDBUF: SO_SNDBUF in octets (`None` = OS default).
                SndBuf(sndbuf: Option<usize> = None) ZMQ_SNDBUF = 11, Driver, all;
                /// ZMQ_RCVBUF: SO_RCVBUF in octets (`None` = OS default).
                RcvBuf(rcvbuf: Option<usize> = None) ZMQ_RCVBUF = 12, Driver, all;
                /// ZMQ_SNDTIMEO: how long `send` waits (`None` = forever); then it
                /// fails with [`crate::Error::TimedOut`].
                SndTimeo(sndtimeo: Option<Duration> = None) ZMQ_SNDTIMEO = 28, Driver, all;
                /// ZMQ_RCVTIMEO: how long `recv` waits (`None` = forever); then it
                /// fails with [`crate::Error::TimedOut`].
                RcvTimeo(rcvtimeo: Option<Duration> = None) ZMQ_RCVTIMEO = 27, Driver, all;
                /// ZMQ_IPV6: `*` binds every IPv6 and IPv4 interface (dual stack)
                /// and host names may resolve to IPv6 addresses first.
                Ipv6(ipv6: bool = false) ZMQ_IPV6 = 42, Driver, all;
                /// ZMQ_BACKLOG: the listen queue of tcp listeners bound
                /// after it is set (default 100).
                Backlog(backlog: u32 = 100) ZMQ_BACKLOG = 19, Driver, all;
                /// ZMQ_CONNECT_TIMEOUT: how long a tcp connect attempt may take
                /// before it counts as failed (`None` = the OS's limit).
                ConnectTimeout(connect_timeout: Option<Duration> = None)
                    ZMQ_CONNECT_TIMEOUT = 79, Driver, all;
                /// ZMQ_TOS: the IP type-of-service octet of tcp connections
                /// (`None` = the OS default).
                Tos(tos: Option<u32> = None) ZMQ_TOS = 57, Driver, all;
                /// ZMQ_TCP_MAXRT: TCP_USER_TIMEOUT, how long sent data may stay
                /// unacknowledged before the connection is dropped (`None` = the OS
                /// default; Linux only).
                TcpMaxRt(tcp_maxrt: Option<Duration> = None) ZMQ_TCP_MAXRT = 80, Driver, all;
                /// ZMQ_MULTICAST_HOPS: the time-to-live of the multicast
                /// packets a pgm or epgm sender and a udp RADIO send, 1 to 255
                /// (libzmq's default 1: the local network only; 48-R38).
                MulticastHops(multicast_hops: u32 = 1)
                    ZMQ_MULTICAST_HOPS = 25, Driver, all, check = multicast_hops;
                /// ZMQ_MULTICAST_LOOP: whether the multicast datagrams a udp
                /// RADIO sends come back to sockets on this host (libzmq's
                /// default `true`; 48-R38).
                MulticastLoop(multicast_loop: bool = true) ZMQ_MULTICAST_LOOP = 96, Driver, all;
                /// ZMQ_BINDTODEVICE: SO_BINDTODEVICE on tcp sockets, so that they
                /// use only this network interface (Linux; needs CAP_NET_RAW).
                BindToDevice(bind_to_device: Option<String> = None)
                    ZMQ_BINDTODEVICE = 92, Driver, all;
                /// ZMQ_WSS_KEY_PEM: the private key of `wss://` endpoints
                /// bound after it is set, PEM (PKCS#8, PKCS#1 or SEC1); empty
                /// is none, and binding `wss://` then fails.
                WssKeyPem(wss_key_pem: Bytes = Bytes::new()) ZMQ_WSS_KEY_PEM = 103, Driver, all;
                /// ZMQ_WSS_CERT_PEM: the certificate chain of `wss://`
                /// endpoints bound after it is set, PEM, the server's own first.
                WssCertPem(wss_cert_pem: Bytes = Bytes::new()) ZMQ_WSS_CERT_PEM = 104, Driver, all;
                /// ZMQ_WSS_TRUST_PEM: the certificates a `wss://` connect
                /// trusts as roots, PEM; empty trusts none of its own (then
                /// only ZMQ_WSS_TRUST_SYSTEM's, if set, else the TLS
                /// handshake fails).
                WssTrustPem(wss_trust_pem: Bytes = Bytes::new()) ZMQ_WSS_TRUST_PEM = 105, Driver, all;
                /// ZMQ_WSS_TRUST_SYSTEM: a `wss://` connect also trusts the
                /// system's roots (on Linux the OpenSSL store, or the file
                /// and directory SSL_CERT_FILE and SSL_CERT_DIR name);
                /// libzmq's default `false`.
                WssTrustSystem(wss_trust_system: bool = false) ZMQ_WSS_TRUST_SYSTEM = 107, Driver, all;
                /// ZMQ_WSS_HOSTNAME: the name a `wss://` connect sends (SNI)
                /// and checks the server's certificate against (`None` = the
                /// endpoint's host).
                WssHostname(wss_hostname: Option<String> = None)
                    ZMQ_WSS_HOSTNAME = 106, Driver, all;
                /// ZMQ_RATE: the most a pgm or epgm sender sends, in kilobits
                /// per second (ODATA and RDATA; default 100, as libzmq).
                Rate(rate: u32 = 100) ZMQ_RATE = 8, Driver, all;
                /// ZMQ_RECOVERY_IVL: how long a pgm or epgm sender keeps what
                /// it sent for repair, in milliseconds (default 10 s); with
                /// RATE it sizes the transmit window.
                RecoveryIvl(recovery_ivl: u32 = 10_000) ZMQ_RECOVERY_IVL = 9, Driver, all;
                /// ZMQ_MULTICAST_MAXTPDU: the largest pgm or epgm packet, IP
                /// header included (default 1500).
                MulticastMaxTpdu(multicast_maxtpdu: u32 = 1500)
                    ZMQ_MULTICAST_MAXTPDU = 84, Driver, all;
            }
            security {
                /// ZMQ_PLAIN_SERVER: be a PLAIN server (selects PLAIN; `false`
                /// goes back to NULL). Reads `true` only while PLAIN is the
                /// mechanism and we are its server. Clients are put to the ZAP
                /// handler; without one they are refused, as in libzmq.
                PlainServer(bool = false) ZMQ_PLAIN_SERVER = 44, all;
                /// ZMQ_PLAIN_USERNAME: be a PLAIN client with this username (0-255
                /// octets; empty goes back to NULL, as libzmq's NULL value does).
                PlainUsername(Bytes = Bytes::new()) ZMQ_PLAIN_USERNAME = 45, all;
                /// ZMQ_PLAIN_PASSWORD: the PLAIN client's password (0-255 octets;
                /// selects the PLAIN client role). The socket keeps one copy,
                /// wiped when the socket is dropped or the password replaced, and
                /// never prints it; the value given is wiped too when the call
                /// holds its only reference. Reading it back returns a copy.
                PlainPassword(Bytes = Bytes::new()) ZMQ_PLAIN_PASSWORD = 46, all;
                /// ZMQ_CURVE_SERVER: be a CURVE server (selects CURVE; `false` goes
                /// back to NULL). Needs [`CurveSecretKey`]. Clients are put to the
                /// ZAP handler; without one every client is accepted (libzmq's
                /// "Stonehouse"), unless [`ZapEnforceDomain`].
                CurveServer(bool = false) ZMQ_CURVE_SERVER = 47, all;
                /// ZMQ_CURVE_PUBLICKEY: our permanent public key, 32 octets or 40
                /// characters of Z85; reads back as 32 octets (empty if unset).
                /// Selects CURVE. The key actually used is the one derived from
                /// [`CurveSecretKey`], which this should match.
                CurvePublicKey(Bytes = Bytes::new()) ZMQ_CURVE_PUBLICKEY = 48, all;
                /// ZMQ_CURVE_SECRETKEY: our permanent secret key, 32 octets or 40
                /// characters of Z85; reads back as 32 octets (empty if unset), as
                /// libzmq allows. Selects CURVE. The stored key is wiped on drop,
                /// and the value given too when the call holds its only reference.
                CurveSecretKey(Bytes = Bytes::new()) ZMQ_CURVE_SECRETKEY = 49, all;
                /// ZMQ_CURVE_SERVERKEY: the server's permanent public key (32
                /// octets or 40 characters of Z85): be a CURVE client of that
                /// server (26-R04). Reads back as 32 octets (empty if unset).
                CurveServerKey(Bytes = Bytes::new()) ZMQ_CURVE_SERVERKEY = 50, all;
                /// ZMQ_ZAP_DOMAIN: the ZAP domain sent with each request (0-255
                /// octets, RFC 27). On a NULL socket a non-empty domain turns ZAP
                /// on, as in libzmq.
                ZapDomain(Bytes = Bytes::new()) ZMQ_ZAP_DOMAIN = 55, all;
                /// ZMQ_ZAP_ENFORCE_DOMAIN: with no ZAP handler, refuse every peer
                /// instead of accepting it (CURVE, NULL with a domain).
                ZapEnforceDomain(bool = false) ZMQ_ZAP_ENFORCE_DOMAIN = 93, all;
            }
            read_only {
                /// ZMQ_TYPE (read-only): the socket type.
                Type(SocketType) ZMQ_TYPE = 16, Driver, all;
                /// ZMQ_LAST_ENDPOINT (read-only): the last endpoint bound or
                /// connected, with wildcards resolved (`tcp://127.0.0.1:41234`).
                LastEndpoint(String = String::new()) ZMQ_LAST_ENDPOINT = 32, Driver, all;
                /// ZMQ_MECHANISM (read-only): the mechanism the options select.
                Mechanism(MechanismKind = MechanismKind::Null) ZMQ_MECHANISM = 43, Connection, all;
            }
        }
    };
}
