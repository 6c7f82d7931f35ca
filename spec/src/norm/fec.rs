//! Reed-Solomon erasure code over GF(2^8) as NORM's FEC encoding id 5
//! uses it (RFC 5510 §8, and the systematic Vandermonde construction
//! libnorm takes from Rizzo's coder): `k` source symbols, up to `p` parity
//! symbols, each a vector of octets (NORM-R19).
//!
//! The field is GF(2^8) with the primitive polynomial x^8 + x^4 + x^3 +
//! x^2 + 1 and generator x. The generator matrix starts as an (k + p) x k
//! Vandermonde matrix (row 0 is e0; row r > 0 holds alpha^((r-1)c) in
//! column c), is multiplied by the inverse of its top k x k part, and so
//! becomes [I; A]: parity row j is row k + j. For a stream segment the
//! vector is the stream payload header and data, zero-padded.
//!
//! Decoding takes any k of the k + p symbols, builds the k x k matrix of
//! their rows, inverts it and multiplies out the missing source vectors.

use std::sync::OnceLock;

struct Field {
    exp: [u8; 510],
    log: [u8; 256],
}

fn field() -> &'static Field {
    static F: OnceLock<Field> = OnceLock::new();
    F.get_or_init(|| {
        let mut exp = [0u8; 510];
        let mut log = [0u8; 256];
        let mut x: u16 = 1;
        for (i, e) in exp.iter_mut().take(255).enumerate() {
            *e = x as u8;
            log[x as usize] = i as u8;
            x <<= 1;
            if x & 0x100 != 0 {
                x ^= 0x11d;
            }
        }
        for i in 255..510 {
            exp[i] = exp[i - 255];
        }
        Field { exp, log }
    })
}

fn mul(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        return 0;
    }
    let f = field();
    f.exp[usize::from(f.log[usize::from(a)]) + usize::from(f.log[usize::from(b)])]
}

fn inv(a: u8) -> u8 {
    let f = field();
    // a != 0: checked by the callers (pivots).
    f.exp[255 - usize::from(f.log[usize::from(a)])]
}

/// `dst += c * src`, octet by octet.
fn addmul(dst: &mut [u8], src: &[u8], c: u8) {
    if c == 0 {
        return;
    }
    let f = field();
    let lc = usize::from(f.log[usize::from(c)]);
    for (d, &s) in dst.iter_mut().zip(src) {
        if s != 0 {
            *d ^= f.exp[lc + usize::from(f.log[usize::from(s)])];
        }
    }
}

/// Inverts the `k` x `k` matrix `m` (row-major) in place by Gauss-Jordan
/// elimination; `false` if it is singular.
fn invert(m: &mut [u8], k: usize) -> bool {
    let mut out = vec![0u8; k * k];
    for i in 0..k {
        out[i * k + i] = 1;
    }
    for col in 0..k {
        let Some(pivot) = (col..k).find(|&r| m[r * k + col] != 0) else {
            return false;
        };
        if pivot != col {
            for c in 0..k {
                m.swap(pivot * k + c, col * k + c);
                out.swap(pivot * k + c, col * k + c);
            }
        }
        let c = inv(m[col * k + col]);
        for x in 0..k {
            m[col * k + x] = mul(m[col * k + x], c);
            out[col * k + x] = mul(out[col * k + x], c);
        }
        for r in 0..k {
            if r == col {
                continue;
            }
            let f = m[r * k + col];
            if f == 0 {
                continue;
            }
            for x in 0..k {
                m[r * k + x] ^= mul(f, m[col * k + x]);
                out[r * k + x] ^= mul(f, out[col * k + x]);
            }
        }
    }
    m.copy_from_slice(&out);
    true
}

/// The code for `k` source and `p` parity symbols.
#[derive(Clone, Debug)]
pub struct Rs8 {
    k: usize,
    p: usize,
    /// The parity rows of the systematic generator, `p` x `k`.
    parity: Vec<u8>,
}

impl Rs8 {
    /// The code, or `None` if `k` is zero or `k + p` exceeds 255.
    pub fn new(k: usize, p: usize) -> Option<Self> {
        if k == 0 || k + p > 255 {
            return None;
        }
        let f = field();
        let n = k + p;
        let mut v = vec![0u8; n * k];
        v[0] = 1;
        for r in 1..n {
            for c in 0..k {
                v[r * k + c] = f.exp[((r - 1) * c) % 255];
            }
        }
        let mut top = v[..k * k].to_vec();
        if !invert(&mut top, k) {
            return None;
        }
        let mut parity = vec![0u8; p * k];
        for j in 0..p {
            for c in 0..k {
                let mut acc = 0u8;
                for i in 0..k {
                    acc ^= mul(v[(k + j) * k + i], top[i * k + c]);
                }
                parity[j * k + c] = acc;
            }
        }
        Some(Self { k, p, parity })
    }

    /// Source symbols per block.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Parity symbols per block.
    pub fn p(&self) -> usize {
        self.p
    }

    /// The parity vectors of `sources` (each zero-padded to `len`).
    pub fn encode(&self, sources: &[&[u8]], len: usize) -> Vec<Vec<u8>> {
        (0..self.p)
            .map(|j| {
                let mut out = vec![0u8; len];
                for (i, s) in sources.iter().enumerate().take(self.k) {
                    addmul(
                        &mut out,
                        &s[..s.len().min(len)],
                        self.parity[j * self.k + i],
                    );
                }
                out
            })
            .collect()
    }

    /// Recovers the missing source vectors from those received
    /// (`sources[i]`, `None` where missing) and parity vectors (`(j,
    /// vector)` for parity symbol j); every vector is read zero-padded to
    /// `len`. Returns `(i, vector)` for each missing source, or `None` if
    /// fewer than `k` symbols are at hand.
    pub fn decode(
        &self,
        sources: &[Option<&[u8]>],
        parity: &[(usize, &[u8])],
        len: usize,
    ) -> Option<Vec<(usize, Vec<u8>)>> {
        let k = self.k;
        let missing: Vec<usize> = (0..k)
            .filter(|&i| sources.get(i).copied().flatten().is_none())
            .collect();
        if missing.is_empty() {
            return Some(Vec::new());
        }
        let usable: Vec<&(usize, &[u8])> = parity.iter().filter(|(j, _)| *j < self.p).collect();
        if usable.len() < missing.len() {
            return None;
        }
        // Row i of the system: e_i for a source at hand, else the next
        // parity row; the right-hand side is that symbol's vector.
        let mut m = vec![0u8; k * k];
        let mut rhs: Vec<&[u8]> = Vec::with_capacity(k);
        let mut next = usable.iter();
        for i in 0..k {
            match sources.get(i).copied().flatten() {
                Some(s) => {
                    m[i * k + i] = 1;
                    rhs.push(s);
                }
                None => {
                    let (j, v) = next.next()?;
                    m[i * k..(i + 1) * k].copy_from_slice(&self.parity[j * k..(j + 1) * k]);
                    rhs.push(v);
                }
            }
        }
        if !invert(&mut m, k) {
            return None;
        }
        Some(
            missing
                .into_iter()
                .map(|i| {
                    let mut out = vec![0u8; len];
                    for (c, v) in rhs.iter().enumerate() {
                        addmul(&mut out, &v[..v.len().min(len)], m[i * k + c]);
                    }
                    (i, out)
                })
                .collect(),
        )
    }
}
