//! Fuzzes the command's value parsers: durations and signal names.
//!
//! They are compiled in by path, as in `cli_args`.  Clap hands them
//! `&str`, so only UTF-8 input reaches them.  Invariants: no panic; an
//! accepted duration is digits with at most one dot and one known unit,
//! and zero exactly when the number is; an accepted signal is a number this
//! kernel has, a number is taken as itself, and a signal's own name
//! parses back to it.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../src/cli/duration.rs"]
mod duration;
// Only `parse_signal` is reached from here; the forwarding is dead code.
#[allow(dead_code)]
#[path = "../../src/cli/signals.rs"]
mod signals;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_duration(text);
    check_signal(text);
});

fn check_duration(text: &str) {
    let Ok(duration) = duration::parse_duration(text) else {
        return;
    };
    let number = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &text[number.len()..];
    assert!(
        ["", "ms", "s", "m", "h", "d"].contains(&unit),
        "{text:?}: unit {unit:?}"
    );

    let digits = number.bytes().filter(u8::is_ascii_digit).count();
    let dots = number.bytes().filter(|&b| b == b'.').count();
    assert!(digits > 0 && dots <= 1, "{text:?} accepted");
    assert_eq!(digits + dots, number.len(), "{text:?} accepted");

    // Zero if and only if every digit is 0 (accepted numbers hold only
    // digits and one dot; no exponent): a tiny non-zero duration must not
    // round down to zero, which means no timeout at all.
    let all_zeros = number.bytes().all(|b| b == b'0' || b == b'.');
    assert_eq!(duration.is_zero(), all_zeros, "{text:?} is {duration:?}");
}

fn check_signal(text: &str) {
    let Ok(signal) = signals::parse_signal(text) else {
        return;
    };
    assert!((1..=128).contains(&signal), "{text:?} is {signal}");
    if let Ok(number) = text.parse::<i32>() {
        assert_eq!(signal, number, "{text:?}");
    }

    // A name that maps back to another number would send the wrong signal.
    if let Some(name) = colaunch::signal_name(signal) {
        assert_eq!(signals::parse_signal(name), Ok(signal), "{name}");
        assert_eq!(signals::parse_signal(&name[3..]), Ok(signal), "{name}");
    }
}
