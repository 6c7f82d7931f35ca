use super::*;

fn v(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn three_positional_arguments() {
    let [a, b, c] = positional::<3>(v(&["local_thr", "tcp://*:5555", "64", "10"]), "x")
        .expect("three arguments");
    assert_eq!(
        (a.as_str(), b.as_str(), c.as_str()),
        ("tcp://*:5555", "64", "10")
    );
}

#[test]
fn wrong_count_gives_usage_with_program_name() {
    let e = positional::<3>(
        v(&["local_thr", "tcp://*:5555"]),
        "<bind-to> <size> <count>",
    )
    .expect_err("two arguments");
    assert_eq!(e.to_string(), "usage: local_thr <bind-to> <size> <count>");
}

#[test]
fn numbers_refuse_junk() {
    assert_eq!(number("1024", "size").expect("number"), 1024);
    assert!(number("-1", "size").is_err());
    assert!(number("10k", "size").is_err());
}
