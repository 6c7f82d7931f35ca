//! The perf binaries end to end: each pair runs as two processes over tcp
//! and ipc (and the inproc tools alone), exits by itself, and prints
//! libzmq's result lines with the figures of the run. No timing is
//! asserted.

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use zmtp_perf::report::parse_line;

fn tool(name: &str) -> Command {
    let path = match name {
        "local_thr" => env!("CARGO_BIN_EXE_local_thr"),
        "remote_thr" => env!("CARGO_BIN_EXE_remote_thr"),
        "local_lat" => env!("CARGO_BIN_EXE_local_lat"),
        "remote_lat" => env!("CARGO_BIN_EXE_remote_lat"),
        "inproc_thr" => env!("CARGO_BIN_EXE_inproc_thr"),
        _ => env!("CARGO_BIN_EXE_inproc_lat"),
    };
    let mut c = Command::new(path);
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    c
}

/// Waits for a child, killing it after a generous limit so a hang fails
/// the test instead of blocking it.
fn finish(mut child: Child, what: &str) -> Output {
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("try_wait").is_none() {
        if Instant::now() > deadline {
            child.kill().expect("kill");
            panic!("{what} did not exit");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().expect("output");
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn free_tcp_endpoint() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    format!("tcp://127.0.0.1:{}", l.local_addr().expect("addr").port())
}

fn endpoints(dir: &tempfile::TempDir) -> Vec<String> {
    vec![
        free_tcp_endpoint(),
        format!("ipc://{}", dir.path().join("perf.ipc").display()),
    ]
}

#[test]
fn local_thr_and_remote_thr_pair_and_report_like_libzmq() {
    let dir = tempfile::tempdir().expect("tempdir");
    for ep in endpoints(&dir) {
        let rx = tool("local_thr")
            .args([&ep, "100", "5000"])
            .spawn()
            .expect("local_thr");
        // The sender may start first: connect retries until the bind.
        let tx = tool("remote_thr")
            .args([&ep, "100", "5000"])
            .spawn()
            .expect("remote_thr");
        let out = String::from_utf8(finish(rx, "local_thr").stdout).expect("utf8");
        let tx_out = finish(tx, "remote_thr");
        assert!(
            tx_out.stdout.is_empty(),
            "remote_thr prints nothing, as libzmq's"
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{out}");
        assert_eq!(lines[0], "message size: 100 [B]");
        assert_eq!(lines[1], "message count: 5000");
        let rate = parse_line(&out, "mean throughput: ", "[msg/s]").expect("msg/s line");
        let mbit = parse_line(&out, "mean throughput: ", "[Mb/s]").expect("Mb/s line");
        assert!(rate > 0.0);
        // Mb/s is msg/s times 800 bits, to the printed precision.
        assert!(
            (mbit - rate.floor() * 800.0 / 1e6).abs() < 0.01 + rate * 800.0 / 1e12,
            "{out}"
        );
    }
}

/// `curve` as the last argument, as libzmq's tools take it: the pair
/// still completes, so the CURVE handshake with the fixed keys succeeded
/// and every boxed message arrived with its size.
#[test]
fn local_thr_and_remote_thr_pair_with_curve() {
    let ep = free_tcp_endpoint();
    let rx = tool("local_thr")
        .args([&ep, "64", "2000", "curve"])
        .spawn()
        .expect("local_thr");
    let tx = tool("remote_thr")
        .args([&ep, "64", "2000", "curve"])
        .spawn()
        .expect("remote_thr");
    let out = String::from_utf8(finish(rx, "local_thr").stdout).expect("utf8");
    finish(tx, "remote_thr");
    assert!(out.contains("message count: 2000"), "{out}");
    assert!(parse_line(&out, "mean throughput: ", "[msg/s]").is_some_and(|r| r > 0.0));
}

#[test]
fn local_lat_and_remote_lat_pair_and_both_exit() {
    let dir = tempfile::tempdir().expect("tempdir");
    for ep in endpoints(&dir) {
        let echo = tool("local_lat")
            .args([&ep, "10", "500"])
            .spawn()
            .expect("local_lat");
        let req = tool("remote_lat")
            .args([&ep, "10", "500"])
            .spawn()
            .expect("remote_lat");
        let out = String::from_utf8(finish(req, "remote_lat").stdout).expect("utf8");
        finish(echo, "local_lat");
        assert!(
            out.starts_with("message size: 10 [B]\nroundtrip count: 500\naverage latency: "),
            "{out}"
        );
        assert!(parse_line(&out, "average latency: ", "[us]").expect("latency") > 0.0);
    }
}

#[test]
fn inproc_tools_report_like_libzmq() {
    let out = finish(
        tool("inproc_thr")
            .args(["64", "2000"])
            .spawn()
            .expect("spawn"),
        "inproc_thr",
    );
    let out = String::from_utf8(out.stdout).expect("utf8");
    assert!(
        out.starts_with("message size: 64 [B]\nmessage count: 2000\nmean throughput: "),
        "{out}"
    );
    let out = finish(
        tool("inproc_lat")
            .args(["1", "300"])
            .spawn()
            .expect("spawn"),
        "inproc_lat",
    );
    let out = String::from_utf8(out.stdout).expect("utf8");
    assert!(
        out.starts_with("message size: 1 [B]\nroundtrip count: 300\naverage latency: "),
        "{out}"
    );
}

#[test]
fn wrong_arguments_print_the_usage_and_fail() {
    let out = tool("local_thr")
        .args(["tcp://127.0.0.1:1"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("usage:") && err.contains("<bind-to> <message-size> <message-count>"),
        "{err}"
    );
    let out = tool("inproc_thr")
        .args(["64", "lots"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("message-count"));
}

#[test]
fn a_message_of_another_size_is_an_error() {
    let ep = free_tcp_endpoint();
    let rx = tool("local_thr")
        .args([&ep, "64", "10"])
        .spawn()
        .expect("local_thr");
    let tx = tool("remote_thr")
        .args([&ep, "65", "10"])
        .spawn()
        .expect("remote_thr");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut rx = rx;
    let status = loop {
        if let Some(s) = rx.try_wait().expect("try_wait") {
            break s;
        }
        assert!(Instant::now() < deadline, "local_thr did not stop");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(!status.success());
    let mut err = String::new();
    std::io::Read::read_to_string(&mut rx.stderr.take().expect("stderr"), &mut err).expect("read");
    assert!(err.contains("incorrect size"), "{err}");
    // The sender now waits for a peer that is gone: end it.
    let mut tx = tx;
    let _ = tx.kill();
    let _ = tx.wait();
}
