//! The book's generated parts (docs/src), regenerated from the code and
//! compared with the committed ones: the state diagrams (`zmtp-model dot`,
//! `Connection::dot`), the byte diagrams (spec's encoder, read back by the
//! dissector), the requirement index (conformance/requirements.md and the
//! IDs the code cites), and the book's relative links.
//!
//! ```text
//! cargo test -p zmtp-conformance --test book                       # check
//! ZMTP_BOOK_BLESS=1 cargo test -p zmtp-conformance --test book     # rewrite
//! ```
//!
//! The SVGs are rendered from the .dot files by Graphviz in `.ci/run`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rand_core::{CryptoRng, RngCore};
use zmtp_conformance::dissect;
use zmtp_spec::connection::{Config, Connection, Side};
use zmtp_spec::security::curve::CookieJar;
use zmtp_spec::security::zap::{FnAuthenticator, ZapRequest};
use zmtp_spec::security::{Curve, KeyPair, Plain, Zap};
use zmtp_spec::{Message, SocketType};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn book() -> PathBuf {
    root().join("docs/src")
}

/// SplitMix64, so that CURVE's keys and nonces, and so its octets, repeat.
struct Seeded(u64);

impl RngCore for Seeded {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand_core::impls::fill_bytes_via_next(self, dest);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for Seeded {}

/// Runs a client and a server back to back until both are quiet, the
/// client sending `messages` once it is active; returns what each sent.
fn exchange(client: Config, server: Config, messages: &[Message]) -> (Vec<u8>, Vec<u8>) {
    let now = Instant::now();
    let mut c = Connection::new(client, Side::Client, now, Seeded(1)).expect("the book generator");
    let mut s = Connection::new(server, Side::Server, now, Seeded(2)).expect("the book generator");
    let mut jar = CookieJar::new(&mut Seeded(3));
    let (mut up, mut down) = (Vec::new(), Vec::new());
    let mut sent = false;
    for _ in 0..50 {
        if !sent && c.state() == zmtp_spec::connection::State::Active {
            for m in messages {
                c.send_message(m.clone()).expect("the book generator");
            }
            sent = true;
        }
        let mut moved = false;
        while let Some(out) = c.poll_transmit() {
            up.extend_from_slice(&out);
            s.handle_bytes(now, &out);
            if s.needs_cookie_jar() {
                s.handle_cookie_jar(now, &mut jar);
            }
            moved = true;
        }
        while let Some(out) = s.poll_transmit() {
            down.extend_from_slice(&out);
            c.handle_bytes(now, &out);
            moved = true;
        }
        while c.poll_event().is_some() {}
        while s.poll_event().is_some() {}
        if !moved && sent {
            break;
        }
    }
    (up, down)
}

fn text_block(body: &str) -> String {
    format!("```text\n{body}```\n")
}

/// A hex dump, 16 octets a line, with offsets and the printable octets.
fn hex(stream: &[u8]) -> String {
    let mut s = String::new();
    for (i, row) in stream.chunks(16).enumerate() {
        let octets: Vec<String> = row.iter().map(|b| format!("{b:02x}")).collect();
        let shown: String = row
            .iter()
            .map(|&b| if b.is_ascii_graphic() { b as char } else { '.' })
            .collect();
        let _ = writeln!(s, "{:>6}  {:<47}  {shown}", i * 16, octets.join(" "));
    }
    s
}

fn dissected(stream: &[u8]) -> String {
    text_block(&dissect::render(&dissect::dissect(stream)))
}

/// Every generated region, by the name its markers carry.
fn regions() -> BTreeMap<&'static str, String> {
    let mut r = BTreeMap::new();
    let hello = Message::from_frames(["", "hello"]);

    let (up, down) = exchange(
        Config::new(SocketType::Req),
        Config::new(SocketType::Rep),
        std::slice::from_ref(&hello),
    );
    r.insert("bytes/null-req", dissected(&up));
    r.insert("hex/null-req", text_block(&hex(&up)));
    r.insert("bytes/null-rep", dissected(&down));

    let mut old = Config::new(SocketType::Sub);
    old.behaviour.minor = 0;
    let (up, _) = exchange(old, Config::new(SocketType::Pub), &[]);
    r.insert("bytes/zmtp30-sub", dissected(&up));

    let accept = || {
        Zap::new(Arc::new(FnAuthenticator(|r: &ZapRequest| {
            r.accept("admin")
        })))
    };
    let mut client = Config::new(SocketType::Push);
    client.mechanism = Arc::new(Plain::client("admin", "secret").expect("the book generator"));
    let mut server = Config::new(SocketType::Pull);
    server.mechanism = Arc::new(Plain::server(accept()));
    let (up, down) = exchange(client, server, &[Message::from("job")]);
    r.insert("bytes/plain-client", dissected(&up));
    r.insert("bytes/plain-server", dissected(&down));

    let server_keys = KeyPair::generate(&mut Seeded(10));
    let client_keys = KeyPair::generate(&mut Seeded(11));
    let mut client = Config::new(SocketType::Push);
    client.mechanism = Arc::new(Curve::client(client_keys, *server_keys.public()));
    let mut server = Config::new(SocketType::Pull);
    server.mechanism = Arc::new(Curve::server(server_keys, accept()));
    let (up, down) = exchange(client, server, &[Message::from("job")]);
    r.insert("bytes/curve-client", dissected(&up));
    r.insert("bytes/curve-server", dissected(&down));

    // A malformed stream: a greeting whose as-server octet is 2 (G03).
    let mut bad = zmtp_spec::wire::Greeting::new(zmtp_spec::wire::Mechanism::NULL, false)
        .to_bytes()
        .to_vec();
    bad[32] = 2;
    r.insert("bytes/bad-as-server", dissected(&bad));
    r
}

/// Whole generated files, by path under docs/src.
fn files() -> BTreeMap<String, String> {
    let mut f = BTreeMap::new();
    f.insert("diagrams/req.dot".into(), zmtp_model::dot::req());
    f.insert("diagrams/rep.dot".into(), zmtp_model::dot::rep());
    f.insert(
        "diagrams/lifecycle.dot".into(),
        zmtp_model::lifecycle::dot(),
    );
    f.insert("diagrams/connection.dot".into(), Connection::dot());
    f.insert("requirements.md".into(), requirement_index());
    f
}

const BEGIN: &str = "<!-- generated: ";
const END: &str = "<!-- end generated -->";

/// The chapter with every generated region rewritten.
fn splice(text: &str, regions: &BTreeMap<&str, String>, file: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(BEGIN) {
        let header_end = at + rest[at..].find("-->").expect("unclosed marker") + 3;
        let name = rest[at + BEGIN.len()..header_end - 3].trim();
        let body = regions
            .get(name)
            .unwrap_or_else(|| panic!("{file}: no generated region named {name:?}"));
        let end = rest[header_end..]
            .find(END)
            .unwrap_or_else(|| panic!("{file}: region {name:?} has no end marker"))
            + header_end;
        out.push_str(&rest[..header_end]);
        out.push('\n');
        out.push_str(body);
        out.push_str(END);
        rest = &rest[end + END.len()..];
    }
    out.push_str(rest);
    out
}

fn chapters() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(book())
        .expect("the book generator")
        .map(|e| e.expect("the book generator").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    v.sort();
    v
}

#[test]
fn generated_parts_match_the_code() {
    let bless = std::env::var_os("ZMTP_BOOK_BLESS").is_some();
    let mut wanted: Vec<(PathBuf, String)> = files()
        .into_iter()
        .map(|(p, s)| (book().join(p), s))
        .collect();
    let regions = regions();
    for chapter in chapters() {
        if wanted.iter().any(|(p, _)| *p == chapter) {
            continue; // generated whole
        }
        let text = std::fs::read_to_string(&chapter).expect("the book generator");
        let new = splice(&text, &regions, &chapter.display().to_string());
        wanted.push((chapter, new));
    }
    let mut stale = Vec::new();
    for (path, content) in wanted {
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        if old != content {
            if bless {
                std::fs::create_dir_all(path.parent().expect("the book generator"))
                    .expect("the book generator");
                std::fs::write(&path, content).expect("the book generator");
            } else {
                if let Some(dump) = std::env::var_os("ZMTP_BOOK_DUMP") {
                    std::fs::write(
                        PathBuf::from(dump).join(path.file_name().expect("the book generator")),
                        &content,
                    )
                    .expect("the book generator");
                }
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "the book's generated parts differ from what the code gives:\n  {}\n\
         regenerate with ZMTP_BOOK_BLESS=1 cargo test -p zmtp-conformance --test book",
        stale.join("\n  ")
    );
}

/// Every relative link of docs/src (Markdown links and images) names a
/// file that exists, and every chapter is in SUMMARY.md.
#[test]
fn relative_links_resolve() {
    let mut broken = Vec::new();
    let summary = std::fs::read_to_string(book().join("SUMMARY.md")).expect("the book generator");
    for chapter in chapters() {
        let text = std::fs::read_to_string(&chapter).expect("the book generator");
        let name = chapter
            .file_name()
            .expect("the book generator")
            .to_string_lossy()
            .to_string();
        if name != "SUMMARY.md" && !summary.contains(&format!("({name})")) {
            broken.push(format!("{name}: not in SUMMARY.md"));
        }
        let mut in_code = false;
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                in_code = !in_code;
            }
            if in_code {
                continue;
            }
            let mut rest = line;
            while let Some(at) = rest.find("](") {
                let escaped = rest[..at].ends_with('\\');
                let tail = &rest[at + 2..];
                let Some(end) = tail.find(')') else { break };
                let target = &tail[..end];
                rest = &tail[end..];
                if escaped
                    || target.contains("://")
                    || target.starts_with('#')
                    || target.starts_with("mailto:")
                {
                    continue;
                }
                let file = target.split('#').next().expect("the book generator");
                if !book().join(file).exists() {
                    broken.push(format!("{name}: {target}"));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "broken links:\n  {}",
        broken.join("\n  ")
    );
}

/// One requirement of the catalogue.
struct Requirement {
    id: String,
    section: String,
    text: String,
}

fn catalogue() -> Vec<Requirement> {
    let text = std::fs::read_to_string(root().join("conformance/requirements.md"))
        .expect("the book generator");
    let mut out = Vec::new();
    let mut section = String::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("### ") {
            section = h.to_string();
            continue;
        }
        // `12. 37-R12 §Heading: text` or `- G07: text` / `- G12 (37): text`.
        let item = if let Some((n, rest)) = line.split_once(". ") {
            n.chars().all(|c| c.is_ascii_digit()).then_some(rest)
        } else {
            line.strip_prefix("- ")
        };
        let Some(item) = item else { continue };
        let Some((head, body)) = item.split_once(": ") else {
            continue;
        };
        let id = head.split_whitespace().next().unwrap_or("");
        if !is_id(id) {
            continue;
        }
        let heading = head
            .split_once(" §")
            .map(|(_, h)| h.to_string())
            .unwrap_or_default();
        out.push(Requirement {
            id: id.to_string(),
            section: if heading.is_empty() {
                section.clone()
            } else {
                heading
            },
            text: body.to_string(),
        });
    }
    out
}

fn is_id(s: &str) -> bool {
    let spec = s.split_once("-R").or_else(|| s.split_once("-S"));
    if let Some((spec, n)) = spec {
        return !spec.is_empty()
            && spec.chars().all(|c| c.is_ascii_digit())
            && !n.is_empty()
            && n.chars().all(|c| c.is_ascii_digit());
    }
    let g = s
        .strip_prefix("G-P")
        .or_else(|| s.strip_prefix("G-C"))
        .or_else(|| s.strip_prefix('G'));
    g.is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// The source files and what each cites, split into code that enforces and
/// tests that check.
fn citations(ids: &BTreeSet<&str>) -> BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> {
    let mut map: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    let mut files = Vec::new();
    for dir in [
        "spec/src",
        "spec/tests",
        "model/src",
        "impl/src",
        "impl/tests",
        "conformance/src",
        "fuzz/fuzz_targets",
    ] {
        walk(&root().join(dir), &mut files);
    }
    files.sort();
    for file in files {
        let rel = file
            .strip_prefix(root())
            .expect("the book generator")
            .to_string_lossy()
            .replace('\\', "/");
        let is_test = rel.contains("/tests/")
            || rel.ends_with("/tests.rs")
            || rel.contains("/cases/")
            || rel.ends_with("/cases.rs")
            || rel.starts_with("fuzz/")
            || rel.contains("/models/")
            || rel.contains("fuzzing");
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for id in cited(&text, ids) {
            let entry = map.entry(id).or_default();
            if is_test {
                entry.1.insert(rel.clone());
            } else {
                entry.0.insert(rel.clone());
            }
        }
    }
    map
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The IDs of `ids` that `text` names, as whole words.
fn cited(text: &str, ids: &BTreeSet<&str>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let word = |c: char| c.is_ascii_alphanumeric() || c == '-';
    for token in text.split(|c: char| !word(c)) {
        let token = token.trim_matches('-');
        if ids.contains(token) {
            found.insert(token.to_string());
        }
    }
    found
}

/// The prefix of the requirements no RFC states: libzmq's STREAM socket
/// (catalogue section 3.21).
const STREAM_PREFIX: &str = "90";

fn rfc_link(id: &str) -> String {
    let spec = id.split('-').next().unwrap_or("");
    if spec == STREAM_PREFIX {
        return "http://api.zeromq.org/4-3:zmq-socket".to_string();
    }
    let spec = if spec.starts_with('G') {
        match id {
            _ if id.starts_with("G-P") => "24",
            _ if id.starts_with("G-C") => "26",
            _ => "37",
        }
    } else {
        spec
    };
    format!("https://rfc.zeromq.org/spec/{spec}/")
}

fn requirement_index() -> String {
    let reqs = catalogue();
    let ids: BTreeSet<&str> = reqs.iter().map(|r| r.id.as_str()).collect();
    let code = citations(&ids);
    let mut discussed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for chapter in chapters() {
        let name = chapter
            .file_name()
            .expect("the book generator")
            .to_string_lossy()
            .to_string();
        if name == "requirements.md" || name == "SUMMARY.md" {
            continue;
        }
        let text = std::fs::read_to_string(&chapter).expect("the book generator");
        for id in cited(&text, &ids) {
            discussed.entry(id).or_default().insert(name.clone());
        }
    }
    let mut s = String::new();
    s.push_str(
        "# Index of requirement IDs\n\n\
         *Generated by `conformance/tests/book.rs` from `conformance/requirements.md` and \
         the IDs the code cites; do not edit by hand \
         (`ZMTP_BOOK_BLESS=1 cargo test -p zmtp-conformance --test book` rewrites it).*\n\n\
         Each requirement of the catalogue, in the catalogue's own paraphrase, with the \
         RFC it comes from, the chapters of this book that discuss it, the source files \
         that cite it in code (where it is enforced) and those that cite it in tests, \
         conformance cases, model properties or fuzz targets (where it is checked). \
         A file is listed when it names the ID as a whole word; ranges such as \
         `37-R26..R36` count for their first ID only.\n\n",
    );
    let (mut enforced, mut checked) = (0, 0);
    for r in &reqs {
        if let Some((e, t)) = code.get(&r.id) {
            enforced += usize::from(!e.is_empty());
            checked += usize::from(!t.is_empty());
        }
    }
    let _ = writeln!(
        s,
        "{} requirements; {enforced} cited in code, {checked} in tests or cases.\n",
        reqs.len()
    );
    let mut section = String::new();
    for r in &reqs {
        let group = if r.id.starts_with('G') {
            "Grammar-derived (G, G-P, G-C)".to_string()
        } else if r.id.starts_with(STREAM_PREFIX) {
            "libzmq's STREAM socket (no RFC: prefix 90)".to_string()
        } else {
            format!(
                "RFC {}",
                r.id.split('-').next().expect("the book generator")
            )
        };
        if group != section {
            let _ = writeln!(s, "## {group}\n");
            section = group;
        }
        let (e, t) = code.get(&r.id).cloned().unwrap_or_default();
        let list = |set: &BTreeSet<String>| {
            if set.is_empty() {
                "none".to_string()
            } else {
                set.iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        let ch = discussed
            .get(&r.id)
            .map(|c| {
                c.iter()
                    .map(|n| format!("[{}]({n})", n.trim_end_matches(".md")))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| "none".into());
        let _ = writeln!(
            s,
            "- **{}** ([{}]({}), {}): {}\n  - book: {ch}\n  - code: {}\n  - tests: {}",
            r.id,
            if r.id.starts_with(STREAM_PREFIX) {
                "zmq_socket(3)"
            } else {
                "RFC"
            },
            rfc_link(&r.id),
            r.section.trim(),
            r.text.trim().replace('[', "\\[").replace(']', "\\]"),
            list(&e),
            list(&t),
        );
    }
    s
}
