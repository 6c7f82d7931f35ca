// zmtp-conformance agent for JeroMQ 0.3.6 (see ../../AGENTS.md).
// Build: javac -cp /usr/share/java/jeromq.jar -d OUT Agent.java
// Run:   java -cp /usr/share/java/jeromq.jar:OUT Agent
//
// No call waits forever: send, recv and poll wait for the request's
// timeout_ms (clamped to 0..MAX_WAIT_MS), and every socket the agent opens
// (bounded()) has a receive and a send timeout (SAFETY_MS) and linger 0 in
// case anything else waits on it.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.zeromq.ZMQ;

public class Agent {
    static final String[] TYPES = {"PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB"};
    static final int[] CODES = {ZMQ.PAIR, ZMQ.PUB, ZMQ.SUB, ZMQ.REQ, ZMQ.REP, ZMQ.DEALER, ZMQ.ROUTER, ZMQ.PULL, ZMQ.PUSH, ZMQ.XPUB, ZMQ.XSUB};

    // The longest wait a request may ask for, and the timeouts every socket
    // gets (the runner passes timeout_ms for the waits it means).
    static final long MAX_WAIT_MS = 600000;
    static final int SAFETY_MS = 10000;

    static ZMQ.Context ctx = ZMQ.context(1);

    // A socket whose receives and sends give up and whose close drops what
    // is left.
    static ZMQ.Socket bounded(ZMQ.Socket s) {
        s.setReceiveTimeOut(SAFETY_MS);
        s.setSendTimeOut(SAFETY_MS);
        s.setLinger(0);
        return s;
    }

    // The request's timeout_ms (or dflt), within 0..MAX_WAIT_MS.
    static int waitMs(Map<String, Object> req, long dflt) {
        return (int) Math.max(0, Math.min(num(req, "timeout_ms", dflt), MAX_WAIT_MS));
    }
    static Map<Long, ZMQ.Socket> sockets = new HashMap<>();
    static long nextHandle = 0;

    // ---- a minimal JSON reader/writer: objects, arrays, strings, numbers, booleans, null
    static final class Json {
        final String s;
        int i = 0;
        Json(String s) { this.s = s; }
        void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }
        Object value() {
            ws();
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++; ws();
                if (s.charAt(i) == '}') { i++; return m; }
                for (;;) {
                    ws(); String k = (String) value(); ws();
                    if (s.charAt(i++) != ':') throw new IllegalArgumentException("expected :");
                    m.put(k, value()); ws();
                    char d = s.charAt(i++);
                    if (d == '}') return m;
                    if (d != ',') throw new IllegalArgumentException("expected ,");
                }
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++; ws();
                if (s.charAt(i) == ']') { i++; return l; }
                for (;;) {
                    l.add(value()); ws();
                    char d = s.charAt(i++);
                    if (d == ']') return l;
                    if (d != ',') throw new IllegalArgumentException("expected ,");
                }
            }
            if (c == '"') {
                StringBuilder b = new StringBuilder();
                i++;
                for (;;) {
                    char d = s.charAt(i++);
                    if (d == '"') return b.toString();
                    if (d == '\\') {
                        char e = s.charAt(i++);
                        switch (e) {
                            case 'n': b.append('\n'); break;
                            case 't': b.append('\t'); break;
                            case 'r': b.append('\r'); break;
                            case 'b': b.append('\b'); break;
                            case 'f': b.append('\f'); break;
                            case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                            default: b.append(e);
                        }
                    } else b.append(d);
                }
            }
            if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
            if (s.startsWith("null", i)) { i += 4; return null; }
            int j = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            return Long.parseLong(s.substring(j, i));
        }
    }

    static String quote(String v) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    static String write(Object v) {
        if (v == null) return "null";
        if (v instanceof String) return quote((String) v);
        if (v instanceof Boolean || v instanceof Number) return v.toString();
        if (v instanceof List) {
            StringBuilder b = new StringBuilder("[");
            for (Object o : (List<?>) v) { if (b.length() > 1) b.append(','); b.append(write(o)); }
            return b.append(']').toString();
        }
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
            if (b.length() > 1) b.append(',');
            b.append(quote((String) e.getKey())).append(':').append(write(e.getValue()));
        }
        return b.append('}').toString();
    }

    static byte[] unhex(String h) {
        byte[] out = new byte[h.length() / 2];
        for (int k = 0; k < out.length; k++) out[k] = (byte) Integer.parseInt(h.substring(2 * k, 2 * k + 2), 16);
        return out;
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) s.append(String.format("%02x", x & 0xff));
        return s.toString();
    }

    static Map<String, Object> ans(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int k = 0; k < kv.length; k += 2) m.put((String) kv[k], kv[k + 1]);
        return m;
    }

    static ZMQ.Socket sock(Map<String, Object> req) {
        ZMQ.Socket s = sockets.get((Long) req.get("socket"));
        if (s == null) throw new IllegalArgumentException("unknown socket handle");
        return s;
    }

    static long num(Map<String, Object> req, String k, long dflt) {
        Object v = req.get(k);
        return v instanceof Long ? (Long) v : dflt;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> handle(Map<String, Object> req) {
        String op = (String) req.get("op");
        switch (op == null ? "" : op) {
            case "manifest": {
                List<Object> types = new ArrayList<>(List.of((Object[]) TYPES));
                return ans("ok", true, "name", "jeromq", "version", "JeroMQ 0.3.6", "zmtp", "2.0",
                        "socket_types", types, "transports", List.of("tcp"), "mechanisms", List.of("NULL"));
            }
            case "socket": {
                String t = (String) req.get("type");
                for (int k = 0; k < TYPES.length; k++) {
                    if (TYPES[k].equals(t)) {
                        ZMQ.Socket s = bounded(ctx.socket(CODES[k]));
                        long h = nextHandle++;
                        sockets.put(h, s);
                        return ans("ok", true, "socket", h);
                    }
                }
                return ans("unsupported", "socket type " + t);
            }
            case "setsockopt": {
                ZMQ.Socket s = sock(req);
                String name = (String) req.get("option");
                Object v = req.get("value");
                switch (name) {
                    case "ROUTING_ID": s.setIdentity(unhex((String) v)); break;
                    case "SUBSCRIBE": s.subscribe(unhex((String) v)); break;
                    case "UNSUBSCRIBE": s.unsubscribe(unhex((String) v)); break;
                    case "LINGER": s.setLinger((Long) v); break;
                    case "SNDHWM": s.setSndHWM((Long) v); break;
                    case "RCVHWM": s.setRcvHWM((Long) v); break;
                    case "RECONNECT_IVL": s.setReconnectIVL((Long) v); break;
                    case "MAXMSGSIZE": s.setMaxMsgSize((Long) v); break;
                    case "ROUTER_MANDATORY": s.setRouterMandatory(((Long) v) != 0); break;
                    case "XPUB_VERBOSE": s.setXpubVerbose(((Long) v) != 0); break;
                    default: return ans("unsupported", "option " + name);
                }
                return ans("ok", true);
            }
            case "bind": {
                ZMQ.Socket s = sock(req);
                String ep = (String) req.get("endpoint");
                if (ep.startsWith("tcp://") && ep.endsWith(":*")) {
                    String host = ep.substring(0, ep.length() - 2);
                    int port = s.bindToRandomPort(host);
                    return ans("ok", true, "endpoint", host + ":" + port);
                }
                if (!ep.startsWith("tcp://")) return ans("unsupported", "transport of " + ep);
                s.bind(ep);
                return ans("ok", true, "endpoint", ep);
            }
            case "connect": {
                String ep = (String) req.get("endpoint");
                if (!ep.startsWith("tcp://")) return ans("unsupported", "transport of " + ep);
                sock(req).connect(ep);
                return ans("ok", true);
            }
            case "send": {
                ZMQ.Socket s = sock(req);
                List<Object> frames = (List<Object>) req.get("frames");
                if (frames == null || frames.isEmpty()) return ans("error", "no frames");
                s.setSendTimeOut(waitMs(req, 1000));
                for (int k = 0; k < frames.size(); k++) {
                    boolean more = k + 1 < frames.size();
                    if (!s.send(unhex((String) frames.get(k)), more ? ZMQ.SNDMORE : 0)) {
                        return ans("error", "send timed out", "again", true);
                    }
                }
                return ans("ok", true);
            }
            case "recv": {
                ZMQ.Socket s = sock(req);
                s.setReceiveTimeOut(waitMs(req, 1000));
                byte[] first = s.recv(0);
                if (first == null) return ans("error", "recv timed out", "again", true);
                List<Object> out = new ArrayList<>();
                out.add(hex(first));
                while (s.hasReceiveMore()) {
                    byte[] f = s.recv(0);
                    if (f == null) break;
                    out.add(hex(f));
                }
                return ans("ok", true, "frames", out);
            }
            case "poll": {
                ZMQ.Socket s = sock(req);
                ZMQ.Poller p = new ZMQ.Poller(1);
                p.register(s, ZMQ.Poller.POLLIN | ZMQ.Poller.POLLOUT);
                p.poll(waitMs(req, 0));
                return ans("ok", true, "readable", p.pollin(0), "writable", p.pollout(0));
            }
            case "close": {
                ZMQ.Socket s = sockets.remove((Long) req.get("socket"));
                if (s == null) return ans("error", "unknown socket handle");
                s.close();
                return ans("ok", true);
            }
            case "reset":
                for (ZMQ.Socket s : sockets.values()) s.close();
                sockets.clear();
                return ans("ok", true);
            case "quit":
                return ans("ok", true);
            default:
                return ans("unsupported", "op " + op);
        }
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        String line;
        while ((line = in.readLine()) != null) {
            if (line.trim().isEmpty()) continue;
            Map<String, Object> req;
            try {
                req = (Map<String, Object>) new Json(line).value();
            } catch (RuntimeException e) {
                out.println(write(ans("id", null, "error", "bad json: " + e)));
                continue;
            }
            Map<String, Object> a;
            try {
                a = handle(req);
            } catch (RuntimeException e) {
                a = ans("error", e.toString());
            }
            a.put("id", req.get("id"));
            out.println(write(a));
            if ("quit".equals(req.get("op"))) break;
        }
        for (ZMQ.Socket s : sockets.values()) s.close();
        System.exit(0);
    }
}
