//! Medians, ratios to libzmq and to raw, and the table, CSV files and SVG
//! chart.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::plan::{Case, Kind, Metric, Transport};
use crate::runner::Figure;
use crate::tool::Impl;

/// Every figure of a run: per case (in plan order), per implementation,
/// one per round.
#[derive(Default)]
pub struct Results {
    /// (round, case index, implementation, figure).
    pub raw: Vec<(usize, usize, Impl, Figure)>,
}

/// Median of a non-empty list.
pub fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// A case's medians and ratios.
pub struct Row {
    /// The case.
    pub case: Case,
    /// Median per implementation.
    pub median: BTreeMap<Impl, f64>,
    /// Median delivered share (PUB/SUB).
    pub delivered: BTreeMap<Impl, f64>,
    /// Per implementation and base (libzmq or raw), the lowest and highest
    /// of its ratios to the base taken round by round (both measured
    /// minutes apart at most): how far the machine's noise moves the ratio.
    pub round_ratios: BTreeMap<(Impl, Impl), (f64, f64)>,
}

impl Row {
    /// `imp`'s median over libzmq's (as measured: for latency and memory,
    /// below 1 is better).
    pub fn ratio(&self, imp: Impl) -> Option<f64> {
        self.ratio_to(imp, Impl::Libzmq)
    }

    /// `imp`'s median over `base`'s, as measured.
    pub fn ratio_to(&self, imp: Impl, base: Impl) -> Option<f64> {
        Some(self.median.get(&imp)? / self.median.get(&base)?)
    }

    /// `imp`'s speed-up over `base` (above 1 is better for every metric).
    pub fn gain(&self, imp: Impl, base: Impl) -> Option<f64> {
        let r = self.median.get(&imp)? / self.median.get(&base)?;
        Some(if self.case.metric().higher_is_better() {
            r
        } else {
            1.0 / r
        })
    }
}

impl Results {
    /// Medians per case.
    pub fn rows(&self, cases: &[Case]) -> Vec<Row> {
        cases
            .iter()
            .enumerate()
            .map(|(i, case)| {
                let mut median_of = BTreeMap::new();
                let mut delivered = BTreeMap::new();
                let mut round_ratios = BTreeMap::new();
                for imp in Impl::ALL {
                    let figs: Vec<&Figure> = self
                        .raw
                        .iter()
                        .filter(|r| r.1 == i && r.2 == imp)
                        .map(|r| &r.3)
                        .collect();
                    if let Some(m) = median(figs.iter().map(|f| f.value).collect()) {
                        median_of.insert(imp, m);
                    }
                    if let Some(d) = median(figs.iter().filter_map(|f| f.delivered).collect()) {
                        delivered.insert(imp, d);
                    }
                    for base in [Impl::Libzmq, Impl::Raw] {
                        if let Some(spread) = self.round_spread(i, imp, base) {
                            round_ratios.insert((imp, base), spread);
                        }
                    }
                }
                Row {
                    case: case.clone(),
                    median: median_of,
                    delivered,
                    round_ratios,
                }
            })
            .collect()
    }

    /// The lowest and highest ratio of `imp` to `base` in case `i`, each
    /// taken within one round.
    fn round_spread(&self, i: usize, imp: Impl, base: Impl) -> Option<(f64, f64)> {
        let ratios: Vec<f64> = self
            .raw
            .iter()
            .filter(|r| r.1 == i && r.2 == imp)
            .filter_map(|(round, _, _, f)| {
                let b = self
                    .raw
                    .iter()
                    .find(|b| b.0 == *round && b.1 == i && b.2 == base)?;
                Some(f.value / b.3.value)
            })
            .collect();
        if ratios.is_empty() {
            return None;
        }
        let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some((lo, hi))
    }
}

fn human(metric: Metric, v: f64) -> String {
    match metric {
        Metric::MsgPerSec if v >= 1e6 => format!("{:.2} M/s", v / 1e6),
        Metric::MsgPerSec => format!("{:.1} k/s", v / 1e3),
        Metric::LatencyUs => format!("{v:.1} us"),
        Metric::RssMib => format!("{v:.1} MiB"),
        Metric::PerSec => format!("{v:.0} /s"),
        Metric::KibPerConn => format!("{v:.1} KiB"),
    }
}

fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map_or_else(|| "-".to_owned(), f)
}

/// A ratio to `base` with the range of the round-by-round ratios when
/// there was more than one round.
fn ratio_cell(r: &Row, imp: Impl, base: Impl) -> String {
    let Some(v) = r.ratio_to(imp, base) else {
        return "-".to_owned();
    };
    match r.round_ratios.get(&(imp, base)) {
        Some((lo, hi)) if hi > lo => format!("{v:.2}x ({lo:.2}-{hi:.2})"),
        _ => format!("{v:.2}x"),
    }
}

/// The markdown table printed at the end of a run.
pub fn table(rows: &[Row]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| case | libzmq | zmtp | zmq.rs | raw | zmtp/libzmq | zmq.rs/libzmq | zmtp speed-up over zmq.rs | zmtp/raw |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let m = r.case.metric();
        let cell = |i: Impl| {
            let mut c = opt(r.median.get(&i).copied(), |v| human(m, v));
            if let Some(d) = r.delivered.get(&i) {
                let _ = write!(c, " ({:.0}% got)", d * 100.0);
            }
            if i == Impl::Libzmq && r.median.contains_key(&i) && r.case.libzmq_via_node() {
                c.push_str(" (node)");
            }
            c
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.case.id,
            cell(Impl::Libzmq),
            cell(Impl::Ours),
            cell(Impl::Zmqrs),
            cell(Impl::Raw),
            ratio_cell(r, Impl::Ours, Impl::Libzmq),
            ratio_cell(r, Impl::Zmqrs, Impl::Libzmq),
            opt(r.gain(Impl::Ours, Impl::Zmqrs), |v| format!("{v:.2}x")),
            ratio_cell(r, Impl::Ours, Impl::Raw),
        );
    }
    s.push_str(
        "\nRatios are medians over libzmq's (zmtp/raw: over raw's, the same ZMTP frames over plain blocking \
         sockets with no socket semantics): above 1 is better for throughput, below 1 for latency and memory. \
         In brackets: the lowest and highest ratio of a single round. libzmq (node): libzmq 4.3.5 driven \
         from Node through zeromq.js, whose cost per message is in the figure.\n",
    );
    s
}

/// The issue's targets, each with the measured ratio and whether it is met.
pub fn targets(rows: &[Row]) -> String {
    let find = |kind: Kind, t: Transport, size: usize| {
        rows.iter()
            .find(|r| r.case.kind == kind && r.case.transport == t && r.case.size == size)
    };
    let mut s = String::from("| target | measured | met |\n|---|---:|---|\n");
    let mut line = |what: String, v: Option<f64>, ok: &dyn Fn(f64) -> bool| {
        let _ = writeln!(
            s,
            "| {what} | {} | {} |",
            opt(v, |v| format!("{v:.2}x")),
            v.map_or("n/a", |v| if ok(v) { "yes" } else { "NO" })
        );
    };
    let pp = |t, size| find(Kind::PushPull, t, size).and_then(|r| r.ratio(Impl::Ours));
    line(
        "tcp 64 B throughput >= 1.2x libzmq".into(),
        pp(Transport::Tcp, 64),
        &|v| v >= 1.2,
    );
    line(
        "tcp 65536 B throughput >= 1.25x libzmq".into(),
        pp(Transport::Tcp, 65536),
        &|v| v >= 1.25,
    );
    for r in rows {
        let other_thr = r.case.metric() == Metric::MsgPerSec
            && !r.case.is_transport()
            && !(r.case.kind == Kind::PushPull
                && r.case.transport == Transport::Tcp
                && matches!(r.case.size, 64 | 65536));
        if other_thr {
            line(
                format!("{} >= 1.0x libzmq", r.case.id),
                r.ratio(Impl::Ours),
                &|v| v >= 1.0,
            );
        }
    }
    for r in rows
        .iter()
        .filter(|r| r.case.kind == Kind::ReqRep && !r.case.is_transport())
    {
        line(
            format!("{} <= 0.68x libzmq", r.case.id),
            r.ratio(Impl::Ours),
            &|v| v <= 0.68,
        );
    }
    for t in [Transport::Tcp, Transport::Ipc] {
        let v = find(Kind::PushPull, t, 64).and_then(|r| r.gain(Impl::Ours, Impl::Zmqrs));
        line(
            format!("push-pull {} 64B >= 2x zmq.rs", t.name()),
            v,
            &|v| v >= 2.0,
        );
    }
    for r in rows.iter().filter(|r| r.case.kind == Kind::Flood) {
        line(
            format!("{} peak RSS <= 2x libzmq's (bounded)", r.case.id),
            r.ratio(Impl::Ours),
            &|v| v <= 2.0,
        );
    }
    s
}

/// Issue 18's goals against raw, each with the measured ratio and whether
/// it is met.
pub fn raw_goals(rows: &[Row]) -> String {
    let mut s = String::from("| goal | measured | met |\n|---|---:|---|\n");
    for r in rows {
        let c = &r.case;
        let goal = match (c.kind, c.size) {
            (Kind::PushPull, 64) => Some((0.5, true)),
            (Kind::PushPull, 65536) => Some((0.9, true)),
            (Kind::ReqRep, 1) => Some((1.2, false)),
            _ => None,
        };
        let Some((bound, at_least)) = goal else {
            continue;
        };
        if c.transport == Transport::Inproc || c.is_transport() {
            continue;
        }
        let v = r.ratio_to(Impl::Ours, Impl::Raw);
        let _ = writeln!(
            s,
            "| {} zmtp {} {bound}x raw | {} | {} |",
            c.id,
            if at_least { ">=" } else { "<=" },
            opt(v, |v| format!("{v:.2}x")),
            v.map_or("n/a", |v| {
                if (at_least && v >= bound) || (!at_least && v <= bound) {
                    "yes"
                } else {
                    "NO"
                }
            })
        );
    }
    s
}

/// Issue 15: each ws case over the tcp case of the same kind and size,
/// per implementation (libzmq's both through the `zmq` crate), and what
/// Node costs libzmq over tcp (the `zmq` crate's figure against the one
/// through zeromq.js, as libzmq's udp rows run). Empty when the run has
/// neither.
pub fn transport_ratios(rows: &[Row]) -> String {
    let find = |kind: Kind, t: Transport, size: usize, node: bool| {
        rows.iter().find(|r| {
            r.case.kind == kind
                && r.case.transport == t
                && r.case.size == size
                && r.case.via_node == node
        })
    };
    let mut s = String::new();
    for ws in rows.iter().filter(|r| r.case.transport == Transport::Ws) {
        let c = &ws.case;
        let m = c.metric();
        let tcp = find(c.kind, Transport::Tcp, c.size, false);
        let get = |r: Option<&Row>, i: Impl| r.and_then(|r| r.median.get(&i).copied());
        let cells = |w: Option<f64>, t: Option<f64>| {
            let ratio = match (w, t) {
                (Some(w), Some(t)) => format!("{:.2}x", w / t),
                _ => "-".to_owned(),
            };
            (opt(w, |v| human(m, v)), opt(t, |v| human(m, v)), ratio)
        };
        let (zw, zt, zr) = cells(get(Some(ws), Impl::Ours), get(tcp, Impl::Ours));
        let (lw, lt, lr) = cells(get(Some(ws), Impl::Libzmq), get(tcp, Impl::Libzmq));
        if s.is_empty() {
            s.push_str(
                "| case | zmtp ws | zmtp tcp | zmtp ws/tcp | libzmq ws | libzmq tcp | libzmq ws/tcp |\n|---|---:|---:|---:|---:|---:|---:|\n",
            );
        }
        let _ = writeln!(s, "| {} | {zw} | {zt} | {zr} | {lw} | {lt} | {lr} |", c.id);
    }
    let mut node = String::new();
    for r in rows.iter().filter(|r| r.case.via_node) {
        let c = &r.case;
        let direct = find(c.kind, c.transport, c.size, false)
            .and_then(|d| d.median.get(&Impl::Libzmq).copied());
        let through = r.median.get(&Impl::Libzmq).copied();
        let m = c.metric();
        if node.is_empty() {
            node.push_str(
                "\n| libzmq over tcp | zmq crate (C loop) | zeromq.js (Node) | Node/C |\n|---|---:|---:|---:|\n",
            );
        }
        let _ = writeln!(
            node,
            "| {} {}B | {} | {} | {} |",
            m.name(),
            c.size,
            opt(direct, |v| human(m, v)),
            opt(through, |v| human(m, v)),
            match (through, direct) {
                (Some(t), Some(d)) => format!("{:.2}x", t / d),
                _ => "-".to_owned(),
            }
        );
    }
    if !s.is_empty() {
        s.push_str(
            "\nws/tcp: the ws median over the same implementation's tcp median (throughput: below 1 is the \
             cost of ws; latency: above 1).\n",
        );
    }
    if !node.is_empty() {
        s.push_str(&node);
        s.push_str(
            "\nNode/C: libzmq driven from Node through zeromq.js (its libzmq 4.3.5, as libzmq's udp rows \
             run) over the zmq crate's C loop (libzmq 4.3.4), both over tcp: the script's own cost.\n",
        );
    }
    s
}

/// Writes the raw figures and the medians as CSV.
///
/// # Errors
/// I/O errors.
pub fn write_csv(
    dir: &Path,
    cases: &[Case],
    results: &Results,
    rows: &[Row],
) -> std::io::Result<()> {
    let mut raw = String::from("round,case,impl,metric,value,delivered\n");
    for (round, i, imp, f) in &results.raw {
        let _ = writeln!(
            raw,
            "{round},{},{imp},{},{},{}",
            cases[*i].id,
            cases[*i].metric().name(),
            f.value,
            f.delivered.map_or(String::new(), |d| d.to_string())
        );
    }
    std::fs::write(dir.join("compare-raw.csv"), raw)?;
    let mut sum = String::from(
        "case,metric,count,libzmq,zmtp,zmq.rs,raw,zmtp_over_libzmq,zmqrs_over_libzmq,zmtp_round_ratio_min,zmtp_round_ratio_max,zmtp_over_raw\n",
    );
    for r in rows {
        let g = |i: Impl| r.median.get(&i).map_or(String::new(), f64::to_string);
        let q = |i: Impl| r.ratio(i).map_or(String::new(), |v| format!("{v:.4}"));
        let spread = |base: Impl| {
            r.round_ratios
                .get(&(Impl::Ours, base))
                .map_or((String::new(), String::new()), |m| {
                    (format!("{:.4}", m.0), format!("{:.4}", m.1))
                })
        };
        let _ = writeln!(
            sum,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            r.case.id,
            r.case.metric().name(),
            r.case.count,
            g(Impl::Libzmq),
            g(Impl::Ours),
            g(Impl::Zmqrs),
            g(Impl::Raw),
            q(Impl::Ours),
            q(Impl::Zmqrs),
            spread(Impl::Libzmq).0,
            spread(Impl::Libzmq).1,
            r.ratio_to(Impl::Ours, Impl::Raw)
                .map_or(String::new(), |v| format!("{v:.4}")),
        );
    }
    std::fs::write(dir.join("compare.csv"), sum)
}

/// A horizontal bar chart of each case's speed-up over libzmq (inverted for
/// latency and memory, so longer is always better), log scale.
pub fn svg(rows: &[Row]) -> String {
    let (label_w, plot_w, bar_h, gap) = (230.0, 520.0, 9.0, 8.0);
    let row_h = 2.0 * bar_h + gap;
    let top = 60.0;
    let h = top + rows.len() as f64 * row_h + 40.0;
    let w = label_w + plot_w + 90.0;
    // log2 scale from 1/8x to 8x, 1x in the middle.
    let x = |g: f64| label_w + plot_w * ((g.log2().clamp(-3.0, 3.0) + 3.0) / 6.0);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="10" y="20" font-size="14">Speed-up over libzmq, median of the rounds (longer is better; latency and memory inverted)</text>"#
    );
    let _ = writeln!(
        s,
        r##"<rect x="{label_w}" y="30" width="10" height="10" fill="#2b6cb0"/><text x="{}" y="39">zmtp</text><rect x="{}" y="30" width="10" height="10" fill="#dd6b20"/><text x="{}" y="39">zmq.rs</text>"##,
        label_w + 14.0,
        label_w + 70.0,
        label_w + 84.0
    );
    for g in [0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0] {
        let gx = x(g);
        let stroke = if (g - 1.0_f64).abs() < 1e-9 {
            "black"
        } else {
            "#ccc"
        };
        let _ = writeln!(
            s,
            r#"<line x1="{gx}" y1="{}" x2="{gx}" y2="{}" stroke="{stroke}"/><text x="{gx}" y="{}" text-anchor="middle">{g}x</text>"#,
            top - 5.0,
            h - 30.0,
            h - 15.0
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            label_w - 6.0,
            y + bar_h + 3.0,
            r.case.id
        );
        for (j, (imp, color)) in [(Impl::Ours, "#2b6cb0"), (Impl::Zmqrs, "#dd6b20")]
            .iter()
            .enumerate()
        {
            let Some(g) = r.gain(*imp, Impl::Libzmq) else {
                continue;
            };
            let by = y + j as f64 * bar_h;
            let (x0, x1) = (x(1.0).min(x(g)), x(1.0).max(x(g)));
            let _ = writeln!(
                s,
                r#"<rect x="{x0}" y="{by}" width="{}" height="{}" fill="{color}"/><text x="{}" y="{}" font-size="9">{g:.2}x</text>"#,
                (x1 - x0).max(1.0),
                bar_h - 1.0,
                x1 + 3.0,
                by + bar_h - 2.0
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests;
