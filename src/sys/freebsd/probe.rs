//! What this FreeBSD or CheriBSD kernel offers, asked without dying.
//!
//! # Asking about a system call that may not exist
//!
//! FreeBSD answers a syscall number it does not implement with `nosys()`,
//! which posts `SIGSYS` to the calling thread before failing with `ENOSYS`
//! (`sys/kern/kern_sig.c`); `SIGSYS` kills by default.  So each probe
//! blocks `SIGSYS` in the calling thread only, makes a call with arguments
//! the kernel rejects before doing anything (so that a kernel which has
//! the call creates, waits for or executes nothing), and, if the answer is
//! `ENOSYS`, takes the now pending thread-directed `SIGSYS` back with a
//! zero-timeout `sigtimedwait(2)` before restoring the mask.  The signal's
//! disposition is never changed, so other threads, and a handler the
//! program installed, are unaffected.  Any answer but `ENOSYS` means the
//! call exists.
//!
//! The probes, each with the answer of a kernel that has the call:
//!
//! - `pdrfork` (600) with `rfflags = RFSTOPPED`, a kernel-only flag:
//!   `EINVAL` from the very first check of `sys_pdrfork()`;
//! - `pdwait` (601) and `pdgetpid` (520) on descriptor -1: `EBADF`;
//! - `coexecve` (151) with pid -1 and a null path: `EFAULT`, as the path
//!   cannot be copied in (made in purecap builds only).
//!
//! `kern.osreldate` is read for the report only: CheriBSD's value follows
//! its FreeBSD base, not its feature set, so it decides nothing.

use std::ffi::c_void;
use std::io;

use super::decide::{self, Kernel, PROBE_RFFLAGS, Presence};
use super::raw::{int, ptr};
use crate::arch;
use crate::probe::{Feature, Probe};
use crate::sys::probe_spawn;

/// Syscall number of `pdgetpid(2)`.
const SYS_PDGETPID: libc::c_int = cheri_sys::SYS_pdgetpid;

/// Probes the kernel for the spawn path; see the module docs.
pub(super) fn kernel() -> Kernel {
    Kernel {
        pdrfork: present(probe_pdrfork()),
        pdwait: present(probe_pdwait()),
        coexecve: cfg!(cheri_purecap) && present(probe_coexecve()),
    }
}

fn present(ret: isize) -> bool {
    decide::presence(ret) == Presence::Present
}

fn probe_pdrfork() -> isize {
    let mut fd: libc::c_int = -1;
    let args = [
        ptr(&raw mut fd),
        int(0),
        int(PROBE_RFFLAGS as isize),
        NULL,
        NULL,
        NULL,
    ];
    without_sigsys(cheri_sys::SYS_pdrfork, args)
}

fn probe_pdwait() -> isize {
    let args = [int(-1), NULL, int(libc::WEXITED as isize), NULL, NULL, NULL];
    without_sigsys(cheri_sys::SYS_pdwait, args)
}

fn probe_pdgetpid() -> isize {
    let mut pid: libc::pid_t = 0;
    without_sigsys(
        SYS_PDGETPID,
        [int(-1), ptr(&raw mut pid), NULL, NULL, NULL, NULL],
    )
}

/// `coexecve(-1, NULL, NULL, NULL)`: the null path fails to copy in, so
/// nothing is executed.  Only meaningful (and only made) in purecap
/// builds: CheriBSD's non-purecap syscall table maps 151 to `nosys`.
fn probe_coexecve() -> isize {
    without_sigsys(
        cheri_sys::SYS_coexecve,
        [int(-1), NULL, NULL, NULL, NULL, NULL],
    )
}

const NULL: *mut c_void = std::ptr::null_mut();

/// Makes one raw system call with `SIGSYS` blocked in this thread, and
/// takes back the `SIGSYS` a kernel without the call posts; returns the
/// raw result (`-errno` on failure).
///
/// A `SIGSYS` that was pending before the call is not ours to take: it is
/// left pending (a second one merges with it, as standard signals do not
/// queue), and delivered when the mask is restored.  `sigtimedwait` is a
/// cancellation point in libthr, as std's own `read` and `poll` are; a
/// Rust program cannot be cancelled soundly anywhere, so that is no new
/// hazard.
fn without_sigsys(nr: libc::c_int, args: [*mut c_void; 6]) -> isize {
    // SAFETY: sigset_t is plain data; sigemptyset initialises it below.
    let mut sigsys: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: both sets are live locals; blocking affects this thread only.
    unsafe {
        libc::sigemptyset(&mut sigsys);
        libc::sigaddset(&mut sigsys, libc::SIGSYS);
        libc::pthread_sigmask(libc::SIG_BLOCK, &sigsys, &mut old);
    }
    // SAFETY: sigset_t is plain data; sigpending fills it.
    let mut pending: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: a live set; sigpending reports this thread's and the
    // process's pending signals.
    let already = unsafe {
        libc::sigpending(&mut pending) == 0 && libc::sigismember(&pending, libc::SIGSYS) == 1
    };

    // SAFETY: the callers pass arguments the kernel rejects before it
    // creates, waits for or executes anything (see the module docs), and
    // every pointer among them is a live local or null.
    let ret = unsafe { arch::syscall6(nr, args) };

    if decide::presence(ret) == Presence::Absent && !already {
        let zero = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: a live set and timeout; a null info pointer is allowed.
        // The SIGSYS is pending on this thread (nosys() uses tdsignal()),
        // or was discarded if the program ignores SIGSYS: EAGAIN then.
        unsafe { libc::sigtimedwait(&sigsys, std::ptr::null_mut(), &zero) };
    }
    // SAFETY: restores the mask saved above.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut()) };
    ret
}

/// Probes the kernel; spawns (and reaps) one child that runs nothing.
pub(crate) fn probe() -> Probe {
    let osreldate = osreldate().map_or_else(|e| format!("unknown ({e})"), |v| v.to_string());
    let mut features = Vec::new();

    let ret = probe_pdgetpid();
    features.push(errno_feature("pdfork", ret, "FreeBSD 9.0"));
    let ret = probe_pdrfork();
    features.push(errno_feature("pdrfork", ret, "FreeBSD 15.1"));
    let ret = probe_pdwait();
    features.push(errno_feature("pdwait", ret, "FreeBSD 15.1"));
    features.push(if cfg!(cheri_purecap) {
        errno_feature("coexecve", probe_coexecve(), "CheriBSD colocation branch")
    } else {
        Feature {
            name: "coexecve",
            available: false,
            detail: "not a purecap build: CheriBSD offers colocation to CheriABI only".into(),
        }
    });
    features.push(Feature {
        name: "kern.osreldate",
        available: true,
        detail: osreldate,
    });

    let spawn = probe_spawn();
    Probe {
        os: "freebsd",
        arch: std::env::consts::ARCH,
        purecap: cfg!(cheri_purecap),
        features,
        auto_mechanism: spawn.as_ref().map(|(m, _)| *m).map_err(|e| e.to_string()),
        shared_address_space: spawn.ok().map(|(_, shared)| shared),
    }
}

/// A feature judged by the raw result of a probe call.
fn errno_feature(name: &'static str, ret: isize, since: &str) -> Feature {
    let available = present(ret);
    let errno = ret.wrapping_neg() as i32;
    let detail = match ret {
        0.. => "works".to_owned(),
        _ if !available => format!("ENOSYS: not in this kernel ({since} or later has it)"),
        _ => format!(
            "present ({} to a probe)",
            io::Error::from_raw_os_error(errno)
        ),
    };
    Feature {
        name,
        available,
        detail,
    }
}

/// `kern.osreldate`, the kernel's `__FreeBSD_version`.
fn osreldate() -> io::Result<libc::c_int> {
    let mut value: libc::c_int = 0;
    let mut len = size_of::<libc::c_int>();
    // SAFETY: a NUL-terminated name, and an output buffer of `len` bytes.
    let ret = unsafe {
        libc::sysctlbyname(
            c"kern.osreldate".as_ptr(),
            (&raw mut value).cast(),
            &mut len,
            std::ptr::null(),
            0,
        )
    };
    if ret != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(value)
}
