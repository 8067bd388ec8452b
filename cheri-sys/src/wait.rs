//! `struct __wrusage`, the resource-usage pair of `wait6(2)` and `pdwait(2)`.

use libc::rusage;

/// Resource usage of a waited-for process and of its own children.
///
/// `struct __wrusage` from `sys/sys/resource.h`: two `struct rusage`, one
/// after the other, with nothing else. Read at
/// [bnovkov/freebsd-src@53bbd0e8][src], a mirror of FreeBSD's tree;
/// `wait6(2)` describes the same two fields. `libc` has `rusage` but not
/// this pair.
///
/// The layout is checked at compile time: the size is exactly two
/// `rusage`, and `wru_children` starts right after `wru_self`. That holds
/// on every target because `rusage`'s size is a multiple of its alignment,
/// so the Linux unit tests exercise the same arithmetic.
///
/// # References
///
/// - [FreeBSD]
///
/// [src]: https://github.com/bnovkov/freebsd-src/blob/53bbd0e8637fd18a385bda1a65da876da12674b1/sys/sys/resource.h
/// [FreeBSD]: https://man.freebsd.org/cgi/man.cgi?query=wait6&sektion=2
#[doc(alias = "wrusage")]
#[allow(non_camel_case_types)] // The C name, as `libc` spells its structs.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct __wrusage {
    /// Usage of the process itself (`wru_self`).
    pub wru_self: rusage,
    /// Usage of the process's own reaped children (`wru_children`).
    pub wru_children: rusage,
}

// The C struct is two rusage back to back; refuse to build otherwise.
const _: () = {
    use core::mem::{align_of, offset_of, size_of};

    assert!(
        size_of::<__wrusage>() == 2 * size_of::<rusage>(),
        "__wrusage size"
    );
    assert!(
        offset_of!(__wrusage, wru_children) == size_of::<rusage>(),
        "wru_children"
    );
    assert!(
        align_of::<__wrusage>() == align_of::<rusage>(),
        "__wrusage alignment"
    );
};
