//! The parent's resident memory, which is what makes `fork` slow.

use std::io;
use std::ptr;

/// A private anonymous mapping with every page written once.
pub(crate) struct Ballast {
    addr: *mut libc::c_void,
    len: usize,
}

impl Ballast {
    /// Maps `mib` MiB and touches each page, so that a `fork` has that
    /// many page-table entries to copy.
    ///
    /// Transparent huge pages are refused for the mapping: with them, a
    /// `fork` copies one entry per 2 MiB instead of per 4 KiB, and the
    /// result would depend on the machine's THP setting.  The memory of a
    /// real large parent (heaps, caches) is mostly in small pages anyway.
    pub(crate) fn new(mib: usize) -> io::Result<Self> {
        if mib == 0 {
            return Ok(Self {
                addr: ptr::null_mut(),
                len: 0,
            });
        }
        let len = mib << 20;
        // SAFETY: a fresh anonymous mapping that aliases nothing.
        let addr = unsafe {
            libc::mmap(
                ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if addr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let ballast = Self { addr, len };
        // Best effort: a kernel without THP has nothing to refuse.
        // SAFETY: the range is exactly the mapping made above.
        unsafe { libc::madvise(addr, len, libc::MADV_NOHUGEPAGE) };

        // SAFETY: page size queries have no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
        let base = addr.cast::<u8>();
        for offset in (0..len).step_by(page) {
            // SAFETY: `offset` is inside the writable mapping; a volatile
            // write so that the touch is not optimised away.
            unsafe { base.add(offset).write_volatile(1) };
        }
        Ok(ballast)
    }
}

impl Drop for Ballast {
    fn drop(&mut self) {
        if self.len != 0 {
            // SAFETY: unmapping exactly the mapping made in `new`.
            unsafe { libc::munmap(self.addr, self.len) };
        }
    }
}

/// The resident set of this process in MiB, from `/proc/self/statm`.
pub(crate) fn resident_mib() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: as above.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
    Some((pages * page) >> 20)
}
