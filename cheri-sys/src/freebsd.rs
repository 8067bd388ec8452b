//! Thin wrappers: FreeBSD process-descriptor calls, CheriBSD colocation.
//!
//! Each wrapper hands its arguments to the kernel unchanged and returns the
//! raw result, `-1` with `errno` set on failure. None allocates, locks or
//! touches `errno` itself. The process-descriptor calls go through
//! `libc::syscall` so that they link against a C library that predates
//! them. The colocation calls bind CheriBSD's own stubs instead, for the
//! reason given on `coexecve`.

use libc::{c_int, pid_t, siginfo_t};

use crate::{__wrusage, SYS_pdrfork, SYS_pdwait};

cfg_items! {
    #[cfg(target_os = "freebsd")]

    /// `pdrfork(fdp, pdflags, rfflags)`—Creates a process and a descriptor
    /// for it.
    ///
    /// **Never call this with [`RFSPAWN`], [`RFPPWAIT`] (the same bit) or
    /// [`RFMEM`] in `rfflags`.** With them the child borrows the caller's
    /// address space and stack, and both processes return from this
    /// function: the child's return and everything it does afterwards
    /// overwrite the frames the parent resumes in. Rust cannot express a
    /// function that returns twice, so that is undefined behaviour, not a
    /// rare race. The vfork-style spawn uses the assembly stubs in
    /// `asm-cheri/`, which move the child to its own stack before it
    /// touches memory; `src/arch/` documents them.
    ///
    /// Without those flags this is a `fork(2)` that also yields a process
    /// descriptor. It returns the child's pid in the parent and 0 in the
    /// child. The kernel writes the descriptor to `*fdp` in the parent
    /// only. It accepts `rfflags` that hold both [`RFPROC`] and
    /// [`RFPROCDESC`] (or exactly `RFSPAWN`, excluded above), and a
    /// `pdflags` within [`PD_ALLOWED_AT_FORK`].
    ///
    /// `pdrfork(2)` first appeared in FreeBSD 15.1 ([pdfork(2)][FreeBSD],
    /// HISTORY). CheriBSD's table at cheribsd@06dbbf28 does not have it.
    ///
    /// # Errors
    ///
    /// Returns `-1` and sets `errno`:
    ///
    /// - `EINVAL`: `RFSPAWN` with any other flag; neither `RFSPAWN` nor
    ///   `RFPROC | RFPROCDESC`; `RFSTOPPED` or `RFHIGHPID`; a bit outside
    ///   `RFFLAGS` and the signal field; a signal number without
    ///   `RFTSIGZMB`, or above the kernel's limit; `RFFDG` with `RFCFDG`;
    ///   or a `pdflags` bit outside the accepted set.
    /// - `EFAULT`: `fdp` could not be written. **The child exists anyway**
    ///   and runs on, returning 0 as usual; the parent gets `-1` and no pid.
    ///   The man page suggests comparing `getpid()` before and after.
    /// - `EAGAIN`, `ENOMEM`: as for `fork(2)` (process limits, memory).
    /// - `ENOSYS`, after `SIGSYS`: the kernel predates `pdrfork`, see
    ///   [the crate docs](crate#a-missing-syscall-raises-sigsys).
    ///
    /// # Safety
    ///
    /// - `rfflags` contains none of `RFSPAWN`, `RFPPWAIT` and `RFMEM`
    ///   (see above).
    /// - `fdp` points to a `c_int` the caller may overwrite. A bad address
    ///   fails with `EFAULT`, but a valid address of something else would
    ///   be silently overwritten.
    /// - In the child the usual `fork(2)` rules hold: if the parent has
    ///   other threads, only async-signal-safe work until `execve` or
    ///   `_exit`, since locks held by those threads stay held forever.
    /// - The descriptor belongs to the caller. Closing its last copy kills
    ///   the child with `SIGKILL` unless `pdflags` had [`PD_DAEMON`].
    ///
    /// # References
    ///
    /// - [FreeBSD]
    /// - [rfork(2)], for the `rfflags` bits
    /// - [kern_fork.c], `sys_pdrfork()` and `fork1()`: the checks above
    ///
    /// [FreeBSD]: https://man.freebsd.org/cgi/man.cgi?query=pdfork&sektion=2
    /// [rfork(2)]: https://man.freebsd.org/cgi/man.cgi?query=rfork&sektion=2
    /// [kern_fork.c]: https://github.com/kostikbel/freebsd-src/blob/85cbc3104f8e3b895495f8a1eeb620030a8595e1/sys/kern/kern_fork.c
    /// [`RFSPAWN`]: crate::RFSPAWN
    /// [`RFPPWAIT`]: crate::RFPPWAIT
    /// [`RFMEM`]: crate::RFMEM
    /// [`RFPROC`]: crate::RFPROC
    /// [`RFPROCDESC`]: crate::RFPROCDESC
    /// [`PD_ALLOWED_AT_FORK`]: crate::PD_ALLOWED_AT_FORK
    /// [`PD_DAEMON`]: crate::PD_DAEMON
    pub unsafe fn pdrfork(fdp: *mut c_int, pdflags: c_int, rfflags: c_int) -> pid_t {
        // SAFETY: the caller keeps RFSPAWN and RFMEM out of `rfflags`, so
        // the child gets its own copy of this stack and each process
        // returns through its own copy of this frame, as after fork(2).
        // `fdp` is writable per the caller's contract; the kernel only
        // writes it in the parent (sys_pdrfork() copyout).
        unsafe { libc::syscall(SYS_pdrfork, fdp, pdflags, rfflags) }
    }

    /// `pdwait(fd, status, options, wrusage, info)`—Waits for the process
    /// behind a process descriptor.
    ///
    /// Behaves as `wait6(2)` on the one process `fd` refers to: `options`
    /// takes the `wait6` flags (`WEXITED`, `WNOHANG`, `WNOWAIT`, ...), and
    /// each of `status`, `wrusage` and `info` may be null. Returns 0 on
    /// success. Whether it also reaps depends on the kernel: before the
    /// 2026 zombie references it does, and a later `pdwait` fails with
    /// `ESRCH`; since them, its documentation says it does not reap and
    /// reports the same status again, the zombie staying until the
    /// parent's `wait4` and the last close.
    ///
    /// `pdwait(2)` first appeared in FreeBSD 15.1; CheriBSD's table at
    /// cheribsd@06dbbf28 does not have it.
    ///
    /// # Errors
    ///
    /// Returns `-1` and sets `errno`:
    ///
    /// - `EINVAL`: a reserved bit is set in `options`.
    /// - `ESRCH`: the process was already reaped.
    /// - `EBADF`: `fd` is not an open descriptor; `EINVAL`: it is not a
    ///   process descriptor (`kern_pdwait()`); `ENOTCAPABLE`: it lacks the
    ///   right; `EFAULT`: an output pointer is bad.
    /// - `ENOSYS`, after `SIGSYS`: the kernel predates `pdwait`, see
    ///   [the crate docs](crate#a-missing-syscall-raises-sigsys).
    ///
    /// # Safety
    ///
    /// - `status`, `wrusage` and `info` are each null or point to memory
    ///   of their type that the caller may overwrite.
    ///
    /// # References
    ///
    /// - [FreeBSD]
    /// - [wait6(2)], for `options` and the results
    ///
    /// [FreeBSD]: https://man.freebsd.org/cgi/man.cgi?query=pdfork&sektion=2
    /// [wait6(2)]: https://man.freebsd.org/cgi/man.cgi?query=wait6&sektion=2
    pub unsafe fn pdwait(
        fd: c_int,
        status: *mut c_int,
        options: c_int,
        wrusage: *mut __wrusage,
        info: *mut siginfo_t,
    ) -> c_int {
        // SAFETY: the three output pointers are null or writable for their
        // types per the caller's contract, which is all the kernel needs.
        unsafe { libc::syscall(SYS_pdwait, fd, status, options, wrusage, info) }
    }
}

cfg_items! {
    #[cfg(all(target_os = "freebsd", cheri_purecap))]

    /// `coexecve(pid, path, argv, envp)`—Executes a program in the address
    /// space of process `pid`.
    ///
    /// Like `execve(2)`, but the new image is colocated with `pid`: 0 means
    /// the parent, -1 means no colocation (plain `execve` unless
    /// opportunistic colocation is on). On success it does not return.
    ///
    /// This binds CheriBSD's C stub `coexecve` rather than going through
    /// `syscall(2)`: whether the variadic `syscall(2)` of a purecap libc
    /// passes capability arguments through intact is UNVERIFIED, while the
    /// named stub is generated from the syscall table. A CheriBSD without
    /// colocation therefore fails at link time, not at run time. The call
    /// does no allocation and takes no lock, so a vfork child may make it.
    ///
    /// # Errors
    ///
    /// Returns `-1` and sets `errno`: those of `execve(2)`, plus `ESRCH`
    /// (no process `pid`) and `EPERM` (not allowed to colocate with it).
    ///
    /// # Safety
    ///
    /// - `path` is a NUL-terminated string; `argv` and `envp` are
    ///   null-terminated arrays of NUL-terminated strings. All stay valid
    ///   for the duration of the call.
    /// - The usual `execve` rules hold: after a `vfork`, the caller runs on
    ///   borrowed memory and must exec or `_exit` whatever this returns.
    ///
    /// # References
    ///
    /// - [CheriBSD] (`execve.2`, which documents `coexecve`)
    /// - [syscalls.master], number 151
    ///
    /// [CheriBSD]: https://github.com/CTSRD-CHERI/cheribsd/blob/06dbbf28945d90969aa2c44a8cb67a29b465ca5b/lib/libsys/execve.2
    /// [syscalls.master]: https://github.com/CTSRD-CHERI/cheribsd/blob/06dbbf28945d90969aa2c44a8cb67a29b465ca5b/sys/kern/syscalls.master
    pub unsafe fn coexecve(
        pid: pid_t,
        path: *const libc::c_char,
        argv: *const *const libc::c_char,
        envp: *const *const libc::c_char,
    ) -> c_int {
        // SAFETY: the strings and arrays are valid per the caller's
        // contract; the stub passes them to the kernel unchanged.
        unsafe { ffi::coexecve(pid, path, argv, envp) }
    }

    /// `coexecvec(pid, path, argv, envp, capv, capc)`—Executes a program
    /// colocated with `pid` and hands it a capability vector.
    ///
    /// [`coexecve`] plus a capability vector of `capc` entries at `capv`,
    /// which the new program reads with `elf_aux_info(3)` (`AT_CAPV`,
    /// `AT_CAPC`). A null `capv` with `capc` 0 inherits the caller's
    /// vector; a vector holding one null entry forces an empty one. The
    /// kernel hands the vector over only if `pid` lives in the address
    /// space the vector came from, which after `fork(2)` it does not: pass
    /// an explicit vector from a `vfork(2)` child only.
    ///
    /// Some colocation trees declare this call without `capc`; how their
    /// kernels read the vector is UNVERIFIED. See [`SYS_coexecvec`].
    ///
    /// # Errors
    ///
    /// Returns `-1` and sets `errno`: those of [`coexecve`], plus `EPROT`
    /// when an explicit vector would cross address spaces (typically a
    /// `fork` child instead of a `vfork` child).
    ///
    /// # Safety
    ///
    /// - Everything [`coexecve`] requires.
    /// - `capv` is null with `capc` 0, or points to `capc` readable
    ///   [`Capability`] values that stay valid for the call.
    ///
    /// # References
    ///
    /// - [CheriBSD] (`execve.2`, which documents `coexecvec`)
    /// - [syscalls.master], number 152
    ///
    /// [CheriBSD]: https://github.com/CTSRD-CHERI/cheribsd/blob/06dbbf28945d90969aa2c44a8cb67a29b465ca5b/lib/libsys/execve.2
    /// [syscalls.master]: https://github.com/CTSRD-CHERI/cheribsd/blob/06dbbf28945d90969aa2c44a8cb67a29b465ca5b/sys/kern/syscalls.master
    /// [`SYS_coexecvec`]: crate::SYS_coexecvec
    /// [`Capability`]: crate::Capability
    pub unsafe fn coexecvec(
        pid: pid_t,
        path: *const libc::c_char,
        argv: *const *const libc::c_char,
        envp: *const *const libc::c_char,
        capv: *const crate::Capability,
        capc: c_int,
    ) -> c_int {
        // SAFETY: the strings, arrays and the vector are valid per the
        // caller's contract; the stub passes them to the kernel unchanged.
        unsafe { ffi::coexecvec(pid, path, argv, envp, capv, capc) }
    }

    /// `cogetpid(pidp)`—Stores the pid of the process that made the
    /// current `cocall` in `*pidp`.
    ///
    /// For the callee side, after `coaccept(2)` returned. It is a syscall,
    /// so callers usually cache the answer per `coaccept` cookie. Returns 0
    /// on success. Bound to CheriBSD's C stub for the reason given on
    /// [`coexecve`].
    ///
    /// # Errors
    ///
    /// Returns `-1` and sets `errno`: `EFAULT` (bad `pidp`) or `ESRCH`
    /// (the caller's identity cannot be determined).
    ///
    /// # Safety
    ///
    /// - `pidp` points to a `pid_t` the caller may overwrite.
    ///
    /// # References
    ///
    /// - [CheriBSD]
    ///
    /// [CheriBSD]: https://github.com/CTSRD-CHERI/cheribsd/blob/06dbbf28945d90969aa2c44a8cb67a29b465ca5b/lib/libsys/cogetpid.2
    pub unsafe fn cogetpid(pidp: *mut pid_t) -> c_int {
        // SAFETY: `pidp` is writable per the caller's contract.
        unsafe { ffi::cogetpid(pidp) }
    }
}

/// CheriBSD's C stubs for the colocation calls, generated from its
/// `syscalls.master`; declared as in `lib/libsys/execve.2` and
/// `lib/libsys/cogetpid.2` at cheribsd@06dbbf28.
#[cfg(all(target_os = "freebsd", cheri_purecap))]
mod ffi {
    use libc::{c_char, c_int, pid_t};

    use crate::Capability;

    unsafe extern "C" {
        pub(super) fn coexecve(
            pid: pid_t,
            path: *const c_char,
            argv: *const *const c_char,
            envp: *const *const c_char,
        ) -> c_int;

        pub(super) fn coexecvec(
            pid: pid_t,
            path: *const c_char,
            argv: *const *const c_char,
            envp: *const *const c_char,
            capv: *const Capability,
            capc: c_int,
        ) -> c_int;

        pub(super) fn cogetpid(pidp: *mut pid_t) -> c_int;
    }
}
