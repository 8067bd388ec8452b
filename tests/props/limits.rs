//! Strings and lists beyond the room `execve(2)` gives them are `E2BIG`,
//! and everything within that room runs: the bound is the kernel's own,
//! not one of the library's.
//!
//! The limits are Linux's (fs/exec.c): one string may take 32 pages with
//! its NUL (`MAX_ARG_STRLEN`), and all strings with their pointers a
//! quarter of the stack limit, at most 6 MiB and at least 32 pages.  The
//! program's path is copied in first and counts too.
//!
//! - [Linux]
//!
//! [Linux]: https://man7.org/linux/man-pages/man2/execve.2.html

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use colaunch::Command;
use proptest::prelude::*;

use crate::config;

/// The program every spawn here runs or fails to run.
const TRUE: &str = "/bin/true";

/// Bytes the kernel keeps apart from the lists on either side of the
/// bound, so that a case near it is still clearly on one side.
const MARGIN: usize = 64 * 1024;

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size).expect("page size")
}

/// The longest string `execve` takes, its NUL included.
fn max_arg_strlen() -> usize {
    32 * page_size()
}

/// The room for all strings and pointers together, from the stack limit
/// this process (and so the child) has.
fn arg_room() -> usize {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the live struct.
    let done = unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut limit) };
    assert_eq!(done, 0, "getrlimit(RLIMIT_STACK)");
    let quarter = usize::try_from(limit.rlim_cur / 4).unwrap_or(usize::MAX);
    (6 << 20).min(quarter).max(max_arg_strlen())
}

/// What one string costs the kernel: its bytes, its NUL, its pointer.
fn cost(len: usize) -> usize {
    len + 1 + size_of::<usize>()
}

/// A command whose strings and pointers take about `total` bytes, as
/// strings of `len` bytes, a share `env_percent` of them environment
/// entries, with nothing inherited.
fn lists(total: usize, len: usize, env_percent: usize) -> (Command, usize) {
    let count = total / cost(len);
    let envs = count * env_percent / 100;
    let mut cmd = Command::new(TRUE);
    cmd.env_clear().args((envs..count).map(|_| "a".repeat(len)));
    cmd.envs((0..envs).map(|i| (format!("K{i:07}"), "v".repeat(len - 9))));

    // argv[0] and the program's path are the same string, copied twice.
    let fixed = 2 * (TRUE.len() + 1) + size_of::<usize>();
    (cmd, count * cost(len) + fixed)
}

#[test]
fn test_spawn_max_arg_strlen_is_the_exact_bound() {
    let max = max_arg_strlen();
    for (len, fits) in [(max - 1, true), (max, false), (max + 1, false)] {
        let mut as_arg = Command::new(TRUE);
        as_arg.arg("a".repeat(len));
        // "K=" makes the entry `len` bytes long.
        let mut as_env = Command::new(TRUE);
        as_env.env("K", "v".repeat(len - 2));
        for mut cmd in [as_arg, as_env] {
            match (cmd.status(), fits) {
                (Ok(status), true) => assert!(status.success(), "{len} bytes: {status}"),
                (Err(e), false) => assert_eq!(e.raw_os_error(), Some(libc::E2BIG), "{len}: {e}"),
                (result, _) => panic!("a string of {len} bytes: {result:?}"),
            }
        }
    }
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn test_spawn_one_string_too_long_is_e2big(
        extra in 0usize..=3 * 32 * 4096,
        others in 0usize..4,
        at in any::<proptest::sample::Index>(),
        in_env in any::<bool>(),
        byte in 1u8..=255,
    ) {
        // A string of MAX_ARG_STRLEN bytes or more, among short ones.
        let long = vec![byte; max_arg_strlen() + extra];
        let mut args = vec![OsString::from("short"); others];
        let mut cmd = Command::new(TRUE);
        match in_env {
            // "K=" and the value make an entry as long as `long`.
            true => cmd.env("K", OsStr::from_bytes(&long[2..])),
            false => {
                args.insert(at.index(others + 1), OsString::from_vec(long));
                &mut cmd
            }
        };
        let err = cmd.args(&args).spawn().expect_err("a string too long ran");
        prop_assert_eq!(err.raw_os_error(), Some(libc::E2BIG), "{}", err);
    }

    #[test]
    fn test_spawn_lists_beyond_the_room_are_e2big(
        over in MARGIN..=4 << 20,
        len in 32usize..=16 * 1024,
        env_percent in 0usize..=100,
    ) {
        // At most one string short of the total asked for: still more
        // than MARGIN - 16 KiB beyond the room.
        let (mut cmd, total) = lists(arg_room() + over, len, env_percent);
        let err = cmd.spawn().expect_err("lists beyond the room ran");
        prop_assert_eq!(err.raw_os_error(), Some(libc::E2BIG), "{} bytes: {}", total, err);
    }

    #[test]
    fn test_spawn_lists_within_the_room_run(
        percent in 1usize..=100,
        len in 32usize..=16 * 1024,
        env_percent in 0usize..=100,
    ) {
        let room = arg_room();
        let (mut cmd, total) = lists((room - MARGIN) * percent / 100, len, env_percent);
        let status = cmd.status();
        prop_assert!(
            status.as_ref().is_ok_and(|s| s.success()),
            "{} of {} bytes: {:?}", total, room, status
        );
    }
}
