//! Process-descriptor flags (`pdflags`) for `pdfork(2)` and `pdrfork(2)`.
//!
//! Values are from `sys/sys/procdesc.h` at [freebsd-src@0162500b][upstream]
//! and [kostikbel/freebsd-src@24261b49][kib]; the two agree.
//!
//! [upstream]: https://github.com/freebsd/freebsd-src/blob/0162500b7d2d686f3f745c12339271be645a2cf8/sys/sys/procdesc.h
//! [kib]: https://github.com/kostikbel/freebsd-src/blob/24261b49b890d529d3aa818d6b91e1c66094ed3b/sys/sys/procdesc.h

use libc::c_int;

#[cfg(target_os = "freebsd")]
pub use libc::{PD_CLOEXEC, PD_DAEMON};

#[cfg(not(target_os = "freebsd"))]
pub use self::mirror::{PD_CLOEXEC, PD_DAEMON};

/// Copies of the flags `libc` declares for FreeBSD only.
///
/// Exported on other targets so that flag-building code compiles there; on
/// FreeBSD the check below pins each copy to `libc`'s value.
mod mirror {
    use libc::c_int;

    /// Do not kill the child when its last process descriptor is closed.
    ///
    /// On FreeBSD this name is `libc::PD_DAEMON`; this copy has the same
    /// value, `0x1` (`sys/sys/procdesc.h`). Refused in Capsicum capability
    /// mode ([pdfork(2)][man]).
    ///
    /// [man]: https://man.freebsd.org/cgi/man.cgi?query=pdfork&sektion=2
    pub const PD_DAEMON: c_int = 0x0000_0001;

    /// Set close-on-exec on the new process descriptor.
    ///
    /// On FreeBSD this name is `libc::PD_CLOEXEC`; this copy has the same
    /// value, `0x2` (`sys/sys/procdesc.h`).
    pub const PD_CLOEXEC: c_int = 0x0000_0002;
}

// The copies must never drift from libc where libc has the names.
#[cfg(target_os = "freebsd")]
assert_same_as_libc!(PD_DAEMON, PD_CLOEXEC);

/// The `pdflags` bits the kernel accepts at fork: `PD_DAEMON | PD_CLOEXEC`.
///
/// `fork1()` fails with `EINVAL` for any other bit. This is the mask in
/// both headers cited at the top of this module. A kernel that knows
/// [`PD_NOWAITPID`] accepts that bit as well, so treat this mask as the
/// set every kernel with process descriptors accepts, not as the newest.
pub const PD_ALLOWED_AT_FORK: c_int = PD_DAEMON | PD_CLOEXEC;

/// Let the kernel reap the child when its last descriptor closes.
///
/// **UNVERIFIED value.** No header that defines this flag has been read.
/// `0x4` is inferred from a third-party log in which a kernel older than
/// the flag refused a modern userland with "Invalid pdflags at fork 0x4".
/// The flag came with FreeBSD's zombie references (main, 2026), after
/// which a process-descriptor child stays a zombie until both its parent
/// has waited for it and every descriptor is closed, unless it was created
/// with this flag. Kernels that predate it fail with `EINVAL`.
pub const PD_NOWAITPID: c_int = 0x0000_0004;
