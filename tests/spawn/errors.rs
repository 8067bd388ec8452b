//! Errors reported synchronously by `spawn` (docs/scenarios.md S3 and more).
//!
//! Tests that count this process's descriptors and zombies run alone in a
//! fresh copy of the test binary, where no other test opens or spawns.

use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;

use colaunch::{Colocation, Command};

use crate::common::{fd_count, zombie_children};
use crate::inner_test;

/// Spawns `cmd`, expects the errno `want`, and checks nothing was left.
fn expect_errno(cmd: &mut Command, want: i32) {
    let fds = fd_count();
    let err = cmd.spawn().expect_err("spawn should fail");
    assert_eq!(err.raw_os_error(), Some(want), "{err}");
    assert_eq!(fd_count(), fds, "a descriptor leaked");
    assert!(zombie_children().is_empty(), "a zombie was left");
}

// glibc BZ 18433: exec failures reported as success.
inner_test! {
    fn test_spawn_missing_program_is_enoent() {
        expect_errno(&mut Command::new("/nonexistent/colaunch-test"), libc::ENOENT);
        expect_errno(&mut Command::new("colaunch-no-such-program-anywhere"), libc::ENOENT);
    }
}

inner_test! {
    fn test_spawn_file_without_exec_bit_is_eacces() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain");
        std::fs::write(&file, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        if nix_root_bypasses(&file) {
            crate::skip!("root may execute files without any exec bit here");
        }
        expect_errno(&mut Command::new(&file), libc::EACCES);
    }
}

/// Root needs at least one exec bit, so a 0644 file is EACCES even for
/// root on Linux; this only guards against unusual kernels.
fn nix_root_bypasses(path: &std::path::Path) -> bool {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid C string.
    unsafe { libc::access(c.as_ptr(), libc::X_OK) == 0 }
}

inner_test! {
    fn test_spawn_directory_is_eacces() {
        let dir = tempfile::tempdir().unwrap();
        expect_errno(&mut Command::new(dir.path()), libc::EACCES);
    }
}

inner_test! {
    fn test_spawn_garbage_with_exec_bit_is_enoexec() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("garbage");
        std::fs::write(&file, [0x7f, b'E', b'L', b'X', 1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
        expect_errno(&mut Command::new(&file), libc::ENOEXEC);
    }
}

inner_test! {
    fn test_spawn_missing_directory_is_enoent() {
        expect_errno(Command::new("true").current_dir("/nonexistent/dir"), libc::ENOENT);
    }
}

inner_test! {
    fn test_spawn_bare_name_too_long_is_enametoolong() {
        // Longer than any file name, found in no PATH directory: the
        // name is at fault, as the kernel says, not the search.
        for len in [300, 5000] {
            let name = "n".repeat(len);
            expect_errno(&mut Command::new(&name), libc::ENAMETOOLONG);
        }
    }
}

inner_test! {
    fn test_spawn_oversized_argument_is_e2big() {
        // Linux caps one argument at 32 pages (MAX_ARG_STRLEN).
        let huge = "x".repeat(256 * 1024);
        expect_errno(Command::new("true").arg(&huge), libc::E2BIG);
    }
}

inner_test! {
    fn test_spawn_nul_bytes_are_invalid_input_naming_the_culprit() {
        let mut argument = Command::new("true");
        argument.arg("ok").arg("b\0ad");
        let mut value = Command::new("true");
        value.env("K", "v\0");
        let mut key = Command::new("true");
        key.env("K\0", "v");
        let mut dir = Command::new("true");
        dir.current_dir("/t\0mp");
        let cases = [
            (Command::new("tr\0ue"), "program"),
            (argument, "argument 2"),
            (value, "environment variable \"K\""),
            (key, "environment variable"),
            (dir, "working directory"),
        ];
        for (mut cmd, culprit) in cases {
            let fds = fd_count();
            let err = cmd.spawn().expect_err("NUL byte accepted");
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
            assert!(err.to_string().contains(culprit), "{err:?} does not name {culprit}");
            assert_eq!(fd_count(), fds);
        }
    }
}

#[test]
fn test_spawn_conflicting_descriptors_are_invalid_input() {
    let (_, write) = std::io::pipe().unwrap();
    let (_, write2) = std::io::pipe().unwrap();
    let mut cmd = Command::new("true");
    cmd.fd(5, write.into()).fd(5, write2.into());
    let err = cmd.spawn().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("descriptor 5"), "{err}");
}

#[test]
fn test_spawn_bad_signal_options_are_invalid_input() {
    let err = Command::new("true")
        .parent_death_signal(Some(0))
        .spawn()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let mut cmd = Command::new("true");
    cmd.daemon(true).parent_death_signal(Some(libc::SIGKILL));
    assert_eq!(cmd.spawn().unwrap_err().kind(), ErrorKind::InvalidInput);
    let mask: colaunch::SignalMask = [200].into_iter().collect();
    assert_eq!(
        Command::new("true")
            .signal_mask(mask)
            .spawn()
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
}

inner_test! {
    fn test_spawn_colocation_is_unsupported_on_linux() {
        for place in [Colocation::Parent, Colocation::Pid(1)] {
            let err = Command::new("true").colocate(place).spawn().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
            assert!(err.to_string().contains("coexecve"), "{err}");
        }
        assert!(zombie_children().is_empty());
    }
}
