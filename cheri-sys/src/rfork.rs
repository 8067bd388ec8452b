//! `rfork(2)` and `pdrfork(2)` flags (`rfflags`), and the exit-signal field.
//!
//! Values are from `sys/sys/unistd.h` at [freebsd-src@912861da][upstream];
//! CheriBSD's copy at [cheribsd@5fad35f6][cheri] has the same flags. The
//! Plan 9 flags that the kernel never implemented (`RFNAMEG`, `RFENVG`,
//! `RFNOTEG`, `RFCNAMEG`, `RFCENVG`) are left out: they are outside
//! [`RFFLAGS`], so the kernel refuses them with `EINVAL`.
//!
//! [upstream]: https://github.com/freebsd/freebsd-src/blob/912861daec4cbe897f1c83d4e030b8a00b971c8c/sys/sys/unistd.h
//! [cheri]: https://github.com/CTSRD-CHERI/cheribsd/blob/5fad35f6c3ad65ff80879db8c4f4858e1045b16a/sys/sys/unistd.h
#![allow(non_snake_case)] // RFTSIGFLAGS and RFTSIGNUM keep their C macro names.

use libc::c_int;

#[cfg(target_os = "freebsd")]
pub use libc::{
    RFCFDG, RFFDG, RFLINUXTHPN, RFMEM, RFNOWAIT, RFPROC, RFSIGSHARE, RFSPAWN, RFTHREAD, RFTSIGZMB,
};

#[cfg(not(target_os = "freebsd"))]
pub use self::mirror::{
    RFCFDG, RFFDG, RFLINUXTHPN, RFMEM, RFNOWAIT, RFPROC, RFSIGSHARE, RFSPAWN, RFTHREAD, RFTSIGZMB,
};

/// Copies of the flags `libc` declares for FreeBSD only.
///
/// Exported on other targets so that flag-building code compiles there; on
/// FreeBSD the check below pins each copy to `libc`'s value.
mod mirror {
    use libc::c_int;

    /// Copy the file descriptor table (`1 << 2`); `libc::RFFDG` on FreeBSD.
    pub const RFFDG: c_int = 1 << 2;

    /// Create a new process (`1 << 4`); `libc::RFPROC` on FreeBSD.
    pub const RFPROC: c_int = 1 << 4;

    /// Share the address space (`1 << 5`); `libc::RFMEM` on FreeBSD.
    pub const RFMEM: c_int = 1 << 5;

    /// Give the child to the reaper (`1 << 6`); `libc::RFNOWAIT` on FreeBSD.
    pub const RFNOWAIT: c_int = 1 << 6;

    /// Start with an empty descriptor table (`1 << 12`); `libc::RFCFDG`.
    pub const RFCFDG: c_int = 1 << 12;

    /// Share the process leader (`1 << 13`); `libc::RFTHREAD` on FreeBSD.
    pub const RFTHREAD: c_int = 1 << 13;

    /// Share signal handlers (`1 << 14`); `libc::RFSIGSHARE` on FreeBSD.
    pub const RFSIGSHARE: c_int = 1 << 14;

    /// Notify the parent with `SIGUSR1` (`1 << 16`); `libc::RFLINUXTHPN`.
    pub const RFLINUXTHPN: c_int = 1 << 16;

    /// Pick the exit signal, see `RFTSIGFLAGS` (`1 << 19`); `libc::RFTSIGZMB`.
    pub const RFTSIGZMB: c_int = 1 << 19;

    /// vfork semantics plus caught signals reset (`1 << 31`); `libc::RFSPAWN`.
    ///
    /// The same bit as `RFPPWAIT`: the kernel reads it as "parent waits"
    /// in its own flag words and as "spawn" in what userland passes.
    pub const RFSPAWN: c_int = 1 << 31;
}

// The copies must never drift from libc where libc has the names.
#[cfg(target_os = "freebsd")]
assert_same_as_libc!(
    RFFDG,
    RFPROC,
    RFMEM,
    RFNOWAIT,
    RFCFDG,
    RFTHREAD,
    RFSIGSHARE,
    RFLINUXTHPN,
    RFTSIGZMB,
    RFSPAWN,
);

/// Leave the child stopped (`1 << 17`); kernel-only.
///
/// `rfork(2)` and `pdrfork(2)` fail with `EINVAL` when userland passes it.
pub const RFSTOPPED: c_int = 1 << 17;

/// Give the child a pid of 10 or more (`1 << 18`); kernel-only.
///
/// `rfork(2)` and `pdrfork(2)` fail with `EINVAL` when userland passes it.
pub const RFHIGHPID: c_int = 1 << 18;

/// Bit position of the exit-signal number in an `rfflags` word: 20.
///
/// The number occupies bits 20 to 27 and counts only with [`RFTSIGZMB`].
pub const RFTSIGSHIFT: c_int = 20;

/// Mask of the exit-signal number once shifted down: `0xFF`.
pub const RFTSIGMASK: c_int = 0xFF;

/// Return a process descriptor for the child (`1 << 28`).
///
/// `pdrfork(2)` requires it together with [`RFPROC`] unless the flags are
/// exactly [`RFSPAWN`]. Plain `rfork(2)` refuses it (it is in
/// [`RFKERNELONLY`]).
pub const RFPROCDESC: c_int = 1 << 28;

/// The parent sleeps until the child execs or exits (`1 << 31`).
///
/// This is the kernel's name for the bit that userland passes as
/// [`RFSPAWN`]; `vfork(2)` is `RFFDG | RFPROC | RFPPWAIT | RFMEM` inside
/// the kernel (`sys_vfork()` in `sys/kern/kern_fork.c` at
/// [kostikbel/freebsd-src@85cbc310][kib]).
///
/// [kib]: https://github.com/kostikbel/freebsd-src/blob/85cbc3104f8e3b895495f8a1eeb620030a8595e1/sys/kern/kern_fork.c
pub const RFPPWAIT: c_int = 1 << 31;

/// Every flag the kernel knows, as `sys/sys/unistd.h` defines `RFFLAGS`.
///
/// The exit-signal field ([`RFTSIGFLAGS`]) lies outside it. The set has
/// changed between releases; this is its value at the commit cited above.
pub const RFFLAGS: c_int = RFFDG
    | RFPROC
    | RFMEM
    | RFNOWAIT
    | RFCFDG
    | RFTHREAD
    | RFSIGSHARE
    | RFLINUXTHPN
    | RFSTOPPED
    | RFHIGHPID
    | RFTSIGZMB
    | RFPROCDESC
    | RFSPAWN
    | RFPPWAIT;

/// Flags `rfork(2)` refuses: `RFSTOPPED | RFHIGHPID | RFPROCDESC`.
///
/// Value at the commit cited above; older trees had a different set.
/// `pdrfork(2)` applies its own rule instead: it refuses `RFSTOPPED` and
/// `RFHIGHPID` but requires `RFPROCDESC` (`sys_pdrfork()` in
/// `sys/kern/kern_fork.c` at [kostikbel/freebsd-src@85cbc310][kib]).
///
/// [kib]: https://github.com/kostikbel/freebsd-src/blob/85cbc3104f8e3b895495f8a1eeb620030a8595e1/sys/kern/kern_fork.c
pub const RFKERNELONLY: c_int = RFSTOPPED | RFHIGHPID | RFPROCDESC;

/// Places exit-signal number `signum` in the `rfflags` bits 20 to 27.
///
/// The C macro `RFTSIGFLAGS(signum)`, which does not mask: a `signum`
/// outside `0..=RFTSIGMASK` spills into other flags. Combine the result
/// with [`RFTSIGZMB`]; the kernel refuses a number above its signal limit,
/// or one given without `RFTSIGZMB`, with `EINVAL`.
pub const fn RFTSIGFLAGS(signum: c_int) -> c_int {
    signum << RFTSIGSHIFT
}

/// Extracts the exit-signal number from an `rfflags` word.
///
/// The C macro `RFTSIGNUM(flags)`. The mask also clears the sign bits that
/// an arithmetic shift copies down when [`RFSPAWN`] is set.
pub const fn RFTSIGNUM(flags: c_int) -> c_int {
    (flags >> RFTSIGSHIFT) & RFTSIGMASK
}
