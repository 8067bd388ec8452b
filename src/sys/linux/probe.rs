//! What this Linux kernel offers, asked one harmless call at a time.

use std::io;

use super::pidfd_open;
use crate::probe::{Feature, Probe};
use crate::sys::probe_spawn;

/// Probes the kernel; spawns (and reaps) one child that runs nothing.
pub(crate) fn probe() -> Probe {
    let mut features = Vec::new();

    // clone3(NULL, 0) is EINVAL where clone3 exists, ENOSYS where not, and
    // whatever a seccomp filter says where one intervenes.
    // SAFETY: a null argument with size 0 is rejected before any use.
    let clone3 = unsafe { libc::syscall(libc::SYS_clone3, std::ptr::null::<u8>(), 0usize) };
    features.push(errno_feature(
        "clone3",
        clone3,
        &[libc::EINVAL, libc::EFAULT],
    ));

    // The real chain decides the clone flags: a spawn through clone3 had
    // both, one through clone had CLONE_PIDFD only.
    let spawn = probe_spawn();
    let mechanism = spawn.as_ref().map(|(m, _)| *m);
    let via = |names: &[&str]| match &mechanism {
        Ok(m) => (names.contains(&m.name()), format!("auto spawn used {m}")),
        Err(e) => (false, format!("probe spawn failed: {e}")),
    };
    let (ok, detail) = via(&["clone3", "clone"]);
    features.push(Feature {
        name: "CLONE_PIDFD",
        available: ok,
        detail,
    });
    let (ok, detail) = via(&["clone3"]);
    features.push(Feature {
        name: "CLONE_CLEAR_SIGHAND",
        available: ok,
        detail,
    });

    // SAFETY: getpid cannot fail.
    let open = pidfd_open(unsafe { libc::getpid() });
    let detail = match &open {
        Ok(_) => "works".to_owned(),
        Err(e) => e.to_string(),
    };
    features.push(Feature {
        name: "pidfd_open",
        available: open.is_ok(),
        detail,
    });

    // EBADF for a descriptor that cannot exist means the id type is known
    // (the check glibc makes), EINVAL means it is not.
    let mut info = std::mem::MaybeUninit::<libc::siginfo_t>::zeroed();
    let (never, options) = (i32::MAX as libc::id_t, libc::WEXITED | libc::WNOHANG);
    // SAFETY: `info` is writable; the descriptor number is never opened.
    let ret = unsafe { libc::waitid(libc::P_PIDFD, never, info.as_mut_ptr(), options) };
    features.push(errno_feature(
        "waitid(P_PIDFD)",
        ret as libc::c_long,
        &[libc::EBADF],
    ));

    // SAFETY: descriptor -1 is rejected with EBADF before any use.
    let send = unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            -1,
            0,
            std::ptr::null::<u8>(),
            0,
        )
    };
    features.push(errno_feature("pidfd_send_signal", send, &[libc::EBADF]));

    Probe {
        os: "linux",
        arch: std::env::consts::ARCH,
        purecap: false,
        features,
        auto_mechanism: mechanism.map_err(|e| e.to_string()),
        shared_address_space: spawn.ok().map(|(_, shared)| shared),
    }
}

/// A feature judged by the errno of a call made with bad arguments.
fn errno_feature(name: &'static str, ret: libc::c_long, present: &[i32]) -> Feature {
    let err = io::Error::last_os_error();
    let errno = err.raw_os_error().unwrap_or(0);
    let available = ret >= 0 || present.contains(&errno);
    let detail = match errno {
        _ if ret >= 0 => "works".to_owned(),
        libc::ENOSYS => "ENOSYS: not in this kernel (or emulator)".to_owned(),
        libc::EPERM => "EPERM: blocked by a seccomp filter or policy".to_owned(),
        _ if available => "present".to_owned(),
        _ => err.to_string(),
    };
    Feature {
        name,
        available,
        detail,
    }
}
