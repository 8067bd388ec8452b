//! CheriBSD colocation: `co*` syscall numbers, `cosetup` selectors and the
//! capability type a capability vector is made of.
//!
//! Numbers and prototypes are from `sys/kern/syscalls.master` at
//! [cheribsd@06dbbf28][master]; `sys/sys/syscall.h` at
//! [cheribsd@a61e250a][syscall_h] has the same numbers. CheriBSD has no man
//! page for most of these calls, so the items link those files.
//!
//! **Which CheriBSD has them.** Colocation lives on CheriBSD's experimental
//! branches. At [cheribsd@4986fb09][early] only `coexecve` (151) exists and
//! 152, 177–180 and 193 are `UNIMPL`; whether a release branch carries them
//! today is UNVERIFIED. Even where they exist, the non-purecap (`freebsd64`)
//! syscall table at [cheribsd@3737ced5][fb64] maps 151, 152, 177–180 and
//! 193 to `nosys`: only purecap (CheriABI) processes can make these calls.
//! Stock FreeBSD implements none of them (548 and 549 are its obsolete NUMA
//! calls), and an unimplemented number raises `SIGSYS`, see the crate docs.
//!
//! [master]: https://github.com/CTSRD-CHERI/cheribsd/blob/06dbbf28945d90969aa2c44a8cb67a29b465ca5b/sys/kern/syscalls.master
//! [syscall_h]: https://github.com/CTSRD-CHERI/cheribsd/blob/a61e250a9983217233f91b6b0642d142818d3397/sys/sys/syscall.h
//! [early]: https://github.com/CTSRD-CHERI/cheribsd/blob/4986fb0964cfc907c482623a8518c652f8754685/sys/kern/syscalls.master
//! [fb64]: https://github.com/CTSRD-CHERI/cheribsd/blob/3737ced54819c590cc17e0bcf5e77ba3da605f46/sys/compat/freebsd64/freebsd64_sysent.c
#![allow(non_upper_case_globals)] // Names follow <sys/syscall.h>.

use libc::c_int;

/// Syscall number of `coexecve(2)`: 151.
///
/// `int coexecve(pid_t pid, const char *fname, char **argv, char **envv)`:
/// `execve(2)` into the address space of process `pid`.
#[doc(alias = "coexecve")]
pub const SYS_coexecve: c_int = 151;

/// Syscall number of `coexecvec(2)`: 152.
///
/// `int coexecvec(pid_t pid, const char *fname, char **argv, char **envv,
/// char * __capability *capv, int capc)`: `coexecve` plus a capability
/// vector. Some colocation trees declare it without `capc`
/// (`include/unistd.h` at [cheribsd@5fad35f6][old]).
///
/// [old]: https://github.com/CTSRD-CHERI/cheribsd/blob/5fad35f6c3ad65ff80879db8c4f4858e1045b16a/include/unistd.h
#[doc(alias = "coexecvec")]
pub const SYS_coexecvec: c_int = 152;

/// Syscall number of `_cosetup(2)`: 177.
///
/// `int _cosetup(int what, void * __capability *code,
/// void * __capability *data)`, with `what` one of the `COSETUP_*` values.
#[doc(alias = "_cosetup")]
#[doc(alias = "cosetup")]
pub const SYS__cosetup: c_int = 177;

/// Syscall number of `coregister(2)`: 178.
///
/// `int coregister(const char *name, void * __capability *cap)`.
#[doc(alias = "coregister")]
pub const SYS_coregister: c_int = 178;

/// Syscall number of `colookup(2)`: 179.
///
/// `int colookup(const char *name, void * __capability *cap)`.
#[doc(alias = "colookup")]
pub const SYS_colookup: c_int = 179;

/// Syscall number of `copark(2)`: 180.
///
/// `int copark(void)`.
#[doc(alias = "copark")]
pub const SYS_copark: c_int = 180;

/// Syscall number of `cogetpid(2)`: 193.
///
/// `int cogetpid(pid_t *pidp)`.
#[doc(alias = "cogetpid")]
pub const SYS_cogetpid: c_int = 193;

/// Syscall number of `cocall_slow(2)`: 548, the kernel path of `cocall`.
///
/// `ssize_t cocall_slow(void * __capability target, const void *
/// __capability outbuf, size_t outlen, void * __capability inbuf,
/// size_t inlen)`. FreeBSD's 548 is the obsolete `numa_getaffinity`.
#[doc(alias = "cocall_slow")]
#[doc(alias = "cocall")]
pub const SYS_cocall_slow: c_int = 548;

/// Syscall number of `coaccept_slow(2)`: 549, the kernel path of `coaccept`.
///
/// `ssize_t coaccept_slow(void * __capability *cookiep, const void *
/// __capability outbuf, size_t outlen, void * __capability inbuf,
/// size_t inlen)`. FreeBSD's 549 is the obsolete `numa_setaffinity`.
#[doc(alias = "coaccept_slow")]
#[doc(alias = "coaccept")]
pub const SYS_coaccept_slow: c_int = 549;

/// `cosetup(2)` selector `COSETUP_COCALL`, used before `cocall`: 0.
///
/// The `COSETUP_*` values are from `sys/sys/unistd.h` at
/// [cheribsd@5fad35f6][src], where C defines them only for CHERI targets.
///
/// [src]: https://github.com/CTSRD-CHERI/cheribsd/blob/5fad35f6c3ad65ff80879db8c4f4858e1045b16a/sys/sys/unistd.h
pub const COSETUP_COCALL: c_int = 0;

/// `cosetup(2)` selector `COSETUP_COACCEPT`, used before `coaccept`: 1.
pub const COSETUP_COACCEPT: c_int = 1;

/// `cosetup(2)` selector `COSETUP_COGETPID` (switcher `cogetpid2()`): 2.
pub const COSETUP_COGETPID: c_int = 2;

/// `cosetup(2)` selector `COSETUP_COGETTID` (switcher `cogettid()`): 3.
pub const COSETUP_COGETTID: c_int = 3;

cfg_items! {
    #[cfg(cheri_purecap)]

    /// A C `void * __capability`, the element type of a capability vector.
    ///
    /// In a purecap program every pointer is a capability, so a Rust raw
    /// pointer already has the representation: 16 bytes and a validity tag
    /// on Morello. A vector is a `*const Capability` plus an entry count
    /// (`capv`, `capc`); a program reads the one it was started with
    /// through `elf_aux_info(3)` with `AT_CAPV` and `AT_CAPC`.
    ///
    /// On hybrid CHERI a capability is wider than a Rust pointer and Rust
    /// has no type for it; on other targets it does not exist. Hence the
    /// `cheri_purecap` gate, which the crate docs explain.
    #[doc(alias = "__capability")]
    pub type Capability = *mut libc::c_void;
}
