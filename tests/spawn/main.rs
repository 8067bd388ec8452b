//! Integration tests of spawning: quick smoke for now.
use colaunch::*;

#[test]
fn smoke() {
    let out = Command::new("echo").arg("hi").output().unwrap();
    assert_eq!(out.stdout, b"hi\n");
    let mut c = Command::new("true").spawn().unwrap();
    eprintln!("{:?} shared={}", c.mechanism(), c.shared_address_space());
    assert!(c.wait().unwrap().success());
    let e = Command::new("/nonexistent").spawn().unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENOENT));
    eprintln!("{:#?}", probe());
}
