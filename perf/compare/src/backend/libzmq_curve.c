/* libzmq's CURVE side of perf/compare, in C against the system's libzmq
 * (Debian's libzmq5 is built with libsodium; the libzmq the zmq crate
 * builds has no CURVE). perf/compare compiles it on first use:
 *   cc -O2 -o target/peers/libzmq-curve/libzmq_curve libzmq_curve.c -lzmq
 * (headers: Debian's libzmq3-dev). Without them it falls back to the
 * pyzmq script beside this file.
 *
 * usage: libzmq_curve TOOL ENDPOINT [SIZE] COUNT
 *   local_thr ep size count       PULL, CURVE server, prints throughput
 *   remote_thr ep size count      PUSH, CURVE client
 *   local_lat ep size count       REP, CURVE server, echoes
 *   remote_lat ep size count      REQ, CURVE client, prints latency
 *   handshake_server ep count     ROUTER, CURVE server, echoes count messages
 *   handshake_clients ep count    DEALER clients, 16 at a time, one round
 *                                 trip each; prints the handshake rate
 *
 * The loops are libzmq's own perf tools' (a zmq_msg_t per message); the
 * result lines are theirs too. Every socket has RCVTIMEO, SNDTIMEO and
 * LINGER (bounded()), so no wait is unbounded. Keys: the fixed test pairs
 * of zmtp_perf::security, in the environment, as Z85 text.
 * ZMTP_CURVE_OFF=1 runs the same loops with NULL security.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define WAIT_MS 30000
#define WAVE 16

static void die(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, zmq_strerror(zmq_errno()));
    exit(1);
}

static const char *key(const char *name)
{
    const char *k = getenv(name);
    if (!k || strlen(k) != 40) {
        fprintf(stderr, "%s: a 40-character Z85 key is required\n", name);
        exit(1);
    }
    return k;
}

static void set(void *s, int option, const void *value, size_t len)
{
    if (zmq_setsockopt(s, option, value, len) != 0)
        die("zmq_setsockopt");
}

static void set_int(void *s, int option, int value)
{
    set(s, option, &value, sizeof value);
}

/* A socket whose every wait is bounded, with CURVE as server or client. */
static void *bounded(void *ctx, int type, int server)
{
    void *s = zmq_socket(ctx, type);
    if (!s)
        die("zmq_socket");
    set_int(s, ZMQ_RCVTIMEO, WAIT_MS);
    set_int(s, ZMQ_SNDTIMEO, WAIT_MS);
    set_int(s, ZMQ_LINGER, WAIT_MS);
    const char *off = getenv("ZMTP_CURVE_OFF");
    if (off && strcmp(off, "1") == 0)
        return s;
    if (server) {
        set_int(s, ZMQ_CURVE_SERVER, 1);
        set(s, ZMQ_CURVE_PUBLICKEY, key("ZMTP_CURVE_SERVER_PUBLIC"), 40);
        set(s, ZMQ_CURVE_SECRETKEY, key("ZMTP_CURVE_SERVER_SECRET"), 40);
    } else {
        set(s, ZMQ_CURVE_SERVERKEY, key("ZMTP_CURVE_SERVER_PUBLIC"), 40);
        set(s, ZMQ_CURVE_PUBLICKEY, key("ZMTP_CURVE_CLIENT_PUBLIC"), 40);
        set(s, ZMQ_CURVE_SECRETKEY, key("ZMTP_CURVE_CLIENT_SECRET"), 40);
    }
    return s;
}

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* Receives one message of `size` octets into `msg`. */
static void recv_checked(void *s, zmq_msg_t *msg, size_t size)
{
    if (zmq_msg_recv(msg, s, 0) < 0)
        die("zmq_msg_recv");
    if (zmq_msg_size(msg) != size) {
        fprintf(stderr, "message of incorrect size received: %zu\n", zmq_msg_size(msg));
        exit(1);
    }
}

static void send_size(void *s, size_t size)
{
    zmq_msg_t msg;
    if (zmq_msg_init_size(&msg, size) != 0)
        die("zmq_msg_init_size");
    memset(zmq_msg_data(&msg), 0, size);
    if (zmq_msg_send(&msg, s, 0) < 0)
        die("zmq_msg_send");
}

static void local_thr(void *ctx, const char *ep, size_t size, long count)
{
    void *s = bounded(ctx, ZMQ_PULL, 1);
    if (zmq_bind(s, ep) != 0)
        die("zmq_bind");
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    recv_checked(s, &msg, size);
    double start = now_us();
    for (long i = 1; i < count; i++)
        recv_checked(s, &msg, size);
    double us = now_us() - start;
    if (us < 1)
        us = 1;
    zmq_msg_close(&msg);
    double rate = count / us * 1e6;
    printf("message size: %zu [B]\n", size);
    printf("message count: %ld\n", count);
    printf("mean throughput: %d [msg/s]\n", (int)rate);
    printf("mean throughput: %.3f [Mb/s]\n", rate * size * 8 / 1e6);
    zmq_close(s);
}

static void remote_thr(void *ctx, const char *ep, size_t size, long count)
{
    void *s = bounded(ctx, ZMQ_PUSH, 0);
    if (zmq_connect(s, ep) != 0)
        die("zmq_connect");
    for (long i = 0; i < count; i++)
        send_size(s, size);
    zmq_close(s);
}

static void local_lat(void *ctx, const char *ep, size_t size, long count)
{
    void *s = bounded(ctx, ZMQ_REP, 1);
    if (zmq_bind(s, ep) != 0)
        die("zmq_bind");
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    for (long i = 0; i < count; i++) {
        recv_checked(s, &msg, size);
        if (zmq_msg_send(&msg, s, 0) < 0)
            die("zmq_msg_send");
    }
    zmq_msg_close(&msg);
    zmq_close(s);
}

static void remote_lat(void *ctx, const char *ep, size_t size, long count)
{
    void *s = bounded(ctx, ZMQ_REQ, 0);
    if (zmq_connect(s, ep) != 0)
        die("zmq_connect");
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    double start = now_us();
    for (long i = 0; i < count; i++) {
        send_size(s, size);
        recv_checked(s, &msg, size);
    }
    double elapsed = now_us() - start;
    zmq_msg_close(&msg);
    printf("message size: %zu [B]\n", size);
    printf("roundtrip count: %ld\n", count);
    printf("average latency: %.3f [us]\n", elapsed / (count * 2.0));
    zmq_close(s);
}

static void handshake_server(void *ctx, const char *ep, long count)
{
    void *s = bounded(ctx, ZMQ_ROUTER, 1);
    if (zmq_bind(s, ep) != 0)
        die("zmq_bind");
    for (long i = 0; i < count; i++) {
        /* routing id, then the body: echoed as they came */
        int more = 1;
        while (more) {
            zmq_msg_t part;
            zmq_msg_init(&part);
            if (zmq_msg_recv(&part, s, 0) < 0)
                die("zmq_msg_recv");
            more = zmq_msg_more(&part);
            if (zmq_msg_send(&part, s, more ? ZMQ_SNDMORE : 0) < 0)
                die("zmq_msg_send");
        }
    }
    zmq_close(s);
}

static void handshake_clients(void *ctx, const char *ep, long count)
{
    void *socks[WAVE];
    double start = now_us();
    long done = 0;
    while (done < count) {
        int wave = count - done < WAVE ? (int)(count - done) : WAVE;
        for (int k = 0; k < wave; k++) {
            socks[k] = bounded(ctx, ZMQ_DEALER, 0);
            set_int(socks[k], ZMQ_LINGER, 0);
            if (zmq_connect(socks[k], ep) != 0)
                die("zmq_connect");
            if (zmq_send(socks[k], "h", 1, 0) < 0)
                die("zmq_send");
        }
        for (int k = 0; k < wave; k++) {
            char buf[8];
            if (zmq_recv(socks[k], buf, sizeof buf, 0) < 0)
                die("zmq_recv");
        }
        for (int k = 0; k < wave; k++)
            zmq_close(socks[k]);
        done += wave;
    }
    double elapsed = (now_us() - start) / 1e6;
    if (elapsed < 1e-6)
        elapsed = 1e-6;
    printf("handshake rate: %.1f [1/s]\n", count / elapsed);
}

int main(int argc, char **argv)
{
    if (!zmq_has("curve")) {
        fprintf(stderr, "this libzmq has no CURVE\n");
        return 1;
    }
    if (argc < 4) {
        fprintf(stderr, "usage: %s TOOL ENDPOINT [SIZE] COUNT\n", argv[0]);
        return 1;
    }
    const char *tool = argv[1], *ep = argv[2];
    void *ctx = zmq_ctx_new();
    if (!ctx)
        die("zmq_ctx_new");
    if (strcmp(tool, "handshake_server") == 0) {
        handshake_server(ctx, ep, atol(argv[3]));
    } else if (strcmp(tool, "handshake_clients") == 0) {
        handshake_clients(ctx, ep, atol(argv[3]));
    } else if (argc < 5) {
        fprintf(stderr, "%s needs SIZE and COUNT\n", tool);
        return 1;
    } else {
        size_t size = (size_t)atol(argv[3]);
        long count = atol(argv[4]);
        if (strcmp(tool, "local_thr") == 0)
            local_thr(ctx, ep, size, count);
        else if (strcmp(tool, "remote_thr") == 0)
            remote_thr(ctx, ep, size, count);
        else if (strcmp(tool, "local_lat") == 0)
            local_lat(ctx, ep, size, count);
        else if (strcmp(tool, "remote_lat") == 0)
            remote_lat(ctx, ep, size, count);
        else {
            fprintf(stderr, "unknown tool %s\n", tool);
            return 1;
        }
    }
    fflush(stdout);
    zmq_ctx_term(ctx);
    return 0;
}
