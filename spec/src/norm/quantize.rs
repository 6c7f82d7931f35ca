//! The quantized fields of NORM (RFC 5740 §4.2.1 for RTT, §5.5.2 for
//! rate), and the TCP-friendly rate equation NORM-CC uses (RFC 5740 §5.5.3,
//! after RFC 3448). Pure arithmetic, no clock.

/// The smallest RTT the 8-bit field holds, in seconds.
pub const RTT_MIN: f64 = 1.0e-6;
/// The largest RTT the 8-bit field holds, in seconds.
pub const RTT_MAX: f64 = 1000.0;

/// Seconds to the 8-bit RTT code (rounded up, so the code never says less
/// than was measured).
pub fn quantize_rtt(rtt: f64) -> u8 {
    let rtt = if rtt.is_nan() {
        RTT_MAX
    } else {
        rtt.clamp(RTT_MIN, RTT_MAX)
    };
    if rtt < 3.3e-5 {
        // Whole microseconds (truncated, as libnorm), less one: 1 us is
        // code 0. The epsilon keeps (q + 1) us from reading as q.999 us.
        (((rtt / RTT_MIN + 1e-6).floor() as u32).saturating_sub(1)).min(255) as u8
    } else {
        // Rounded up; the epsilon keeps a code's own value on that code.
        (255.0 - 13.0 * (RTT_MAX / rtt).ln() - 1e-9)
            .ceil()
            .clamp(0.0, 255.0) as u8
    }
}

/// The 8-bit RTT code to seconds.
pub fn unquantize_rtt(q: u8) -> f64 {
    if q < 31 {
        f64::from(q + 1) * RTT_MIN
    } else {
        RTT_MAX / (f64::from(255 - q) / 13.0).exp()
    }
}

/// Octets per second to the 16-bit rate code: a 12-bit mantissa over a
/// 4-bit power of ten.
pub fn quantize_rate(rate: f64) -> u16 {
    if rate.is_nan() || rate <= 0.0 {
        return 0x0001;
    }
    let rate = rate.min(9.99e15);
    let exponent = (rate.log10().floor().max(0.0)) as i32;
    let mantissa = ((4096.0 / 10.0) * (rate / 10f64.powi(exponent)) + 0.5).min(4095.0) as u16;
    (mantissa << 4) | (exponent as u16 & 0x0f)
}

/// The 16-bit rate code to octets per second.
pub fn unquantize_rate(q: u16) -> f64 {
    f64::from(q >> 4) * (10.0 / 4096.0) * 10f64.powi(i32::from(q & 0x0f))
}

/// A loss fraction (0..=1) scaled to 32 bits.
pub fn quantize_loss32(loss: f64) -> u32 {
    let scale = f64::from(u32::MAX);
    (loss.clamp(0.0, 1.0) * scale + 0.5).min(scale) as u32
}

/// The 32-bit loss code to a fraction.
pub fn unquantize_loss32(q: u32) -> f64 {
    f64::from(q) / f64::from(u32::MAX)
}

/// The TCP-friendly rate, in octets per second, for packets of `size`
/// octets, a round trip of `rtt` seconds and a loss event rate `loss`
/// (one packet per ACK, retransmission timeout four RTTs).
pub fn tcp_friendly_rate(size: f64, rtt: f64, loss: f64) -> f64 {
    let loss = loss.max(1.0e-9);
    let rtt = rtt.max(RTT_MIN);
    let denom = rtt
        * ((2.0 / 3.0 * loss).sqrt()
            + 12.0 * (3.0 / 8.0 * loss).sqrt() * loss * (1.0 + 32.0 * loss * loss));
    size / denom
}
