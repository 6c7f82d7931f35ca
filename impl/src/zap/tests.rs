use super::ip_of;

/// 27-R21: the address frame is the peer's IP address, without port.
#[test]
fn address_frame_is_the_ip_without_port() {
    assert_eq!(ip_of("tcp://127.0.0.1:5555"), "127.0.0.1");
    assert_eq!(ip_of("tcp://[::1]:5555"), "::1");
    assert_eq!(ip_of("ipc:///tmp/x"), "");
}
