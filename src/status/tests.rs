use super::*;

#[test]
fn test_exit_status_code() {
    let status = ExitStatus::from_exit_code(3);
    assert_eq!(status.code(), Some(3));
    assert_eq!(status.signal(), None);
    assert!(!status.success());
    assert_eq!(status.to_string(), "exit status: 3");
    assert!(ExitStatus::from_exit_code(0).success());
}

#[test]
fn test_exit_status_signal() {
    let status = ExitStatus::from_signal(libc::SIGKILL, false);
    assert_eq!(status.code(), None);
    assert_eq!(status.signal(), Some(libc::SIGKILL));
    assert!(!status.core_dumped());
    assert_eq!(status.to_string(), "signal: 9 (SIGKILL)");
}

#[test]
fn test_exit_status_core_dumped() {
    let status = ExitStatus::from_signal(libc::SIGSEGV, true);
    assert!(status.core_dumped());
    assert_eq!(status.to_string(), "signal: 11 (SIGSEGV) (core dumped)");
}

#[test]
fn test_exit_status_raw_round_trip() {
    // 0x0100 is "exited with 1" in every Unix wait status encoding.
    let status = ExitStatus::from_raw(0x0100);
    assert_eq!(status.code(), Some(1));
    assert_eq!(status.into_raw(), 0x0100);
}
