use super::{Walker, frame};

fn frames(size: usize, n: usize) -> Vec<u8> {
    frame(size).unwrap().repeat(n)
}

#[test]
fn counts_whole_frames_short_and_long() {
    for size in [0, 1, 64, 255, 256, 65536] {
        let data = frames(size, 5);
        assert_eq!(Walker::new(size).feed(&data), Ok(5), "size {size}");
    }
}

#[test]
fn counts_the_same_whatever_the_reads_cut() {
    for size in [1, 64, 300] {
        let data = frames(size, 7);
        for chunk in 1..=data.len().min(40) {
            let mut w = Walker::new(size);
            let total: usize = data.chunks(chunk).map(|c| w.feed(c).unwrap()).sum();
            assert_eq!(total, 7, "size {size}, reads of {chunk}");
        }
    }
}

#[test]
fn refuses_another_size_more_or_a_command() {
    assert!(Walker::new(64).feed(&frames(63, 1)).is_err());
    let mut more = frames(64, 1);
    more[0] |= 0x01;
    assert!(Walker::new(64).feed(&more).is_err());
    let mut command = frames(64, 1);
    command[0] |= 0x04;
    assert!(Walker::new(64).feed(&command).is_err());
}

#[test]
fn frames_are_zmtp3_message_frames() {
    assert_eq!(&frame(3).unwrap()[..], &[0, 3, 0, 0, 0]);
    let long = frame(256).unwrap();
    assert_eq!(&long[..9], &[2, 0, 0, 0, 0, 0, 0, 1, 0]);
    assert_eq!(long.len(), 9 + 256);
}
