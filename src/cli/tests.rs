//! Unit tests of the command's platform-independent logic.

use std::io;
use std::time::Duration;

use super::duration::parse_duration;
use super::exit::Exit;
use super::signals::parse_signal;

#[test]
fn test_parse_duration_units() {
    assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
    assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
    assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
    assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
    assert_eq!(parse_duration("1d"), Ok(Duration::from_secs(86400)));
}

#[test]
fn test_parse_duration_plain_seconds() {
    assert_eq!(parse_duration("0.5"), Ok(Duration::from_millis(500)));
    assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
    assert_eq!(parse_duration(".25"), Ok(Duration::from_millis(250)));
    assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
    assert_eq!(parse_duration("0.000"), Ok(Duration::ZERO));
}

#[test]
fn test_parse_duration_tiny_is_not_zero() {
    let one = Ok(Duration::from_nanos(1));
    assert_eq!(parse_duration("0.0000000001"), one);
    assert_eq!(parse_duration("0.0000000001ms"), one);
    // So small that the f64 itself underflows to 0 (found by fuzzing).
    let underflow = format!(".{}44m", "0".repeat(465));
    assert_eq!(parse_duration(&underflow), one);
    assert_eq!(
        parse_duration(&format!("0.{}", "0".repeat(465))),
        Ok(Duration::ZERO)
    );
}

#[test]
fn test_parse_duration_rejects() {
    for bad in [
        "", "s", "ms", "-1", "+1", "1e3", "inf", "nan", "1.2.3", "5x", "1 s", "1m30s",
    ] {
        assert!(parse_duration(bad).is_err(), "{bad:?} was accepted");
    }
    assert!(parse_duration("1e400").is_err());
    assert!(
        parse_duration(&"9".repeat(400)).is_err(),
        "an endless duration was accepted"
    );
}

#[test]
fn test_parse_signal_names_and_numbers() {
    assert_eq!(parse_signal("TERM"), Ok(libc::SIGTERM));
    assert_eq!(parse_signal("SIGINT"), Ok(libc::SIGINT));
    assert_eq!(parse_signal("kill"), Ok(libc::SIGKILL));
    assert_eq!(parse_signal("sigusr1"), Ok(libc::SIGUSR1));
    assert_eq!(parse_signal("9"), Ok(9));
}

#[test]
fn test_parse_signal_aliases() {
    assert_eq!(parse_signal("IOT"), Ok(libc::SIGABRT));
    assert_eq!(parse_signal("SIGCLD"), Ok(libc::SIGCHLD));
    assert_eq!(parse_signal("poll"), Ok(libc::SIGIO));
}

#[cfg(target_os = "linux")]
#[test]
fn test_parse_signal_linux_names() {
    let (min, max) = (libc::SIGRTMIN(), libc::SIGRTMAX());
    assert_eq!(parse_signal("STKFLT"), Ok(16));
    assert_eq!(parse_signal("SIGPWR"), Ok(30));
    assert_eq!(parse_signal("RTMIN"), Ok(min));
    assert_eq!(parse_signal("SIGRTMIN+1"), Ok(min + 1));
    assert_eq!(parse_signal("RTMAX"), Ok(max));
    assert_eq!(parse_signal("rtmax-2"), Ok(max - 2));
    assert_eq!(parse_signal(&format!("RTMIN+{}", max - min)), Ok(max));
    let past = format!("RTMIN+{}", max - min + 1);
    for bad in [
        "RTMIN1",
        "RTMIN-1",
        "RTMAX+1",
        "RTMIN+",
        "RTMINX",
        "RTMIN++1",
        "RTMAX--1",
        past.as_str(),
    ] {
        assert!(parse_signal(bad).is_err(), "{bad:?} was accepted");
    }
}

#[test]
fn test_parse_signal_rejects() {
    for bad in ["", "0", "-1", "1000", "NOPE", "SIG", "SIGSIGTERM"] {
        assert!(parse_signal(bad).is_err(), "{bad:?} was accepted");
    }
}

#[test]
fn test_exit_codes() {
    let os = io::Error::from_raw_os_error;
    assert_eq!(Exit::of_spawn_error(&os(libc::ENOENT)).code(), 127);
    assert_eq!(Exit::of_spawn_error(&os(libc::EACCES)).code(), 126);
    assert_eq!(Exit::of_spawn_error(&os(libc::ENOEXEC)).code(), 126);
    assert_eq!(Exit::of_spawn_error(&os(libc::EAGAIN)).code(), 125);
    assert_eq!(Exit::of_spawn_error(&os(libc::ENOMEM)).code(), 125);
    let unsupported = io::Error::new(io::ErrorKind::Unsupported, "no coexecve");
    assert_eq!(Exit::of_spawn_error(&unsupported).code(), 125);
    assert_eq!(Exit::ChildSignal(libc::SIGTERM).code(), 143);
    assert_eq!(Exit::ChildSignal(libc::SIGINT).code(), 130);
}

#[test]
fn test_exit_raises_only_int_and_quit() {
    assert_eq!(
        Exit::ChildSignal(libc::SIGINT).signal_to_raise(),
        Some(libc::SIGINT)
    );
    assert_eq!(
        Exit::ChildSignal(libc::SIGQUIT).signal_to_raise(),
        Some(libc::SIGQUIT)
    );
    for other in [
        Exit::ChildSignal(libc::SIGTERM),
        Exit::Timeout,
        Exit::Child(130),
    ] {
        assert_eq!(other.signal_to_raise(), None, "{other:?}");
    }
    assert_eq!(Exit::Timeout.code(), 124);
}

#[test]
fn test_exit_of_error_finds_spawn_error_in_chain() {
    use super::exit::SpawnError;

    let err =
        anyhow::Error::new(SpawnError(io::Error::from_raw_os_error(libc::ENOENT))).context("prog");
    assert_eq!(Exit::of_error(&err), Exit::NotFound);
    assert_eq!(format!("{err:#}"), "prog: No such file or directory");
    let other = anyhow::Error::new(io::Error::from_raw_os_error(libc::ENOENT));
    assert_eq!(Exit::of_error(&other), Exit::Failure);
}
