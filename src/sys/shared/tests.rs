use std::os::fd::AsRawFd;

use super::*;
use crate::sys::raw;

fn error_pipe() -> (OwnedFd, OwnedFd) {
    let plan = crate::plan::Plan::new(
        &crate::Command::new("prog"),
        [
            crate::command::StdioKind::Inherit,
            crate::command::StdioKind::Inherit,
            crate::command::StdioKind::Inherit,
        ],
    )
    .unwrap();
    plan.error_pipe().unwrap()
}

#[test]
fn test_read_error_record() {
    for wait in [Wait::Released, Wait::ForExec] {
        let (read, write) = error_pipe();
        raw::write(write.as_raw_fd(), &child_side::encode_error(libc::ENOEXEC));
        drop(write);
        assert_eq!(read_error(&read, wait).unwrap(), Some(libc::ENOEXEC));

        let (read, write) = error_pipe();
        drop(write);
        assert_eq!(read_error(&read, wait).unwrap(), None);

        let (read, write) = error_pipe();
        raw::write(write.as_raw_fd(), b"CLE");
        drop(write);
        assert_eq!(
            read_error(&read, wait).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    }
}

#[test]
fn test_read_error_released_does_not_wait() {
    // A writer that is still open: after a vfork release that means the
    // exec went through and close-on-exec has not run yet.
    let (read, _write) = error_pipe();
    assert_eq!(read_error(&read, Wait::Released).unwrap(), None);
}

#[test]
fn test_read_error_for_exec_waits_for_the_writer() {
    let (read, write) = error_pipe();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        raw::write(write.as_raw_fd(), &child_side::encode_error(libc::EACCES));
    });
    assert_eq!(
        read_error(&read, Wait::ForExec).unwrap(),
        Some(libc::EACCES)
    );
    writer.join().unwrap();
}

#[test]
fn test_child_stack_is_reused_per_thread() {
    let stack = ChildStack::take().unwrap();
    let base = stack.base;
    ChildStack::give_back(stack);
    assert_eq!(ChildStack::take().unwrap().base, base);
}
