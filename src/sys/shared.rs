//! Pieces both backends use as they are: the child stack and the reading
//! of the child's error record.

use std::cell::Cell;
use std::ffi::c_void;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};

use crate::child_side;

/// The child's stack: a private mapping with a guard page below it.
///
/// Each thread keeps one for reuse: once the stub returns, a vfork-style
/// child has left it (exec or exit) and a fork-style child has its own
/// copy.  A spawn from a thread-local destructor, after the spare's own
/// slot is gone, maps a stack for that spawn alone.
pub(crate) struct ChildStack {
    /// The lowest usable address (just above the guard page).
    pub(crate) base: *mut u8,
    pub(crate) size: usize,
    guard: usize,
}

/// Room for `child_main` and the raw syscalls it makes, with a wide margin
/// for stack-clash probing; it never runs code we do not control.
const CHILD_STACK_SIZE: usize = 64 * 1024;

/// Linux marks the mapping as a stack (`MAP_STACK`, a hint for transparent
/// huge pages); on FreeBSD `MAP_STACK` makes a grow-down region, which a
/// stack of fixed size does not need.
#[cfg(target_os = "linux")]
const STACK_FLAGS: libc::c_int = libc::MAP_STACK;
#[cfg(not(target_os = "linux"))]
const STACK_FLAGS: libc::c_int = 0;

thread_local! {
    static SPARE_STACK: Cell<Option<ChildStack>> = const { Cell::new(None) };
}

impl ChildStack {
    /// This thread's spare stack, or a new one.
    pub(crate) fn take() -> io::Result<Self> {
        match SPARE_STACK.try_with(Cell::take) {
            Ok(Some(stack)) => Ok(stack),
            Ok(None) | Err(_) => Self::map(),
        }
    }

    /// Keeps `stack` as this thread's spare, or unmaps it if the thread's
    /// locals are being destroyed.
    pub(crate) fn give_back(stack: Self) {
        let mut stack = Some(stack);
        let _ = SPARE_STACK.try_with(|spare| spare.set(stack.take()));
        drop(stack);
    }

    /// The usable range of this thread's spare stack, for tests.
    #[cfg(test)]
    pub(crate) fn spare_range() -> Option<std::ops::Range<usize>> {
        let stack = SPARE_STACK.with(Cell::take)?;
        let range = stack.base as usize..stack.base as usize + stack.size;
        Self::give_back(stack);
        Some(range)
    }

    fn map() -> io::Result<Self> {
        // SAFETY: sysconf has no preconditions.
        let guard = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
        let len = guard + CHILD_STACK_SIZE;
        // SAFETY: a fresh anonymous mapping that aliases nothing.
        let addr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANON | STACK_FLAGS,
                -1,
                0,
            )
        };
        if addr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        // The guard page turns an overflow into a fault, not corruption.
        // SAFETY: the first page is inside the mapping just made.
        if unsafe { libc::mprotect(addr, guard, libc::PROT_NONE) } != 0 {
            let err = io::Error::last_os_error();
            // SAFETY: unmapping exactly the mapping made above.
            unsafe { libc::munmap(addr, len) };
            return Err(err);
        }
        // SAFETY: `guard` is within the mapping.
        let base = unsafe { addr.cast::<u8>().add(guard) };
        Ok(Self {
            base,
            size: CHILD_STACK_SIZE,
            guard,
        })
    }

    /// One past the end of the mapping, page aligned: the stack top.  On
    /// purecap CheriBSD it is a capability bounded to the mapping.
    pub(crate) fn top(&self) -> *mut c_void {
        // SAFETY: one past the end of the mapping.
        unsafe { self.base.add(self.size).cast() }
    }
}

impl Drop for ChildStack {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly what `map` mapped; no child uses it
        // once the stub has returned (see the type docs).
        unsafe { libc::munmap(self.base.sub(self.guard).cast(), self.guard + self.size) };
    }
}

/// How long [`read_error`] may wait for the child.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    /// The child shared our memory and the kernel has released us: it has
    /// either exited, after writing any error record, or passed the point
    /// of no return of `execve`, after which `execve` cannot fail back to
    /// it.  The record, if any, is already in the pipe.
    Released,
    /// The child may still be on its way to `execve` (fork semantics, an
    /// emulated vfork, or a kernel whose release point is unchecked): wait
    /// for the record or for end-of-file.
    ForExec,
}

/// Reads the child's error record from the non-blocking error pipe:
/// `None` when `execve` succeeded (or the child died without a record).
pub(crate) fn read_error(pipe: &OwnedFd, wait: Wait) -> io::Result<Option<i32>> {
    let mut record = [0u8; child_side::ERROR_RECORD_LEN];
    let mut got = 0;
    while got < record.len() {
        // SAFETY: the buffer range is inside `record`.
        let n = unsafe {
            libc::read(
                pipe.as_raw_fd(),
                record[got..].as_mut_ptr().cast(),
                record.len() - got,
            )
        };
        if n == 0 {
            break;
        }
        if n > 0 {
            got += n as usize;
            continue;
        }
        let err = io::Error::last_os_error();
        match err.kind() {
            io::ErrorKind::Interrupted => {}
            io::ErrorKind::WouldBlock if wait == Wait::Released => break,
            io::ErrorKind::WouldBlock => wait_readable(pipe)?,
            _ => return Err(err),
        }
    }
    match got {
        0 => Ok(None),
        _ => match child_side::decode_error(&record) {
            Some(errno) if got == record.len() => Ok(Some(errno)),
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the child sent a malformed error record ({got} bytes)"),
            )),
        },
    }
}

/// Blocks until `pipe` has data or end-of-file; retries `EINTR`.
fn wait_readable(pipe: &OwnedFd) -> io::Result<()> {
    let mut pfd = libc::pollfd {
        fd: pipe.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    while unsafe { libc::poll(&mut pfd, 1, -1) } < 0 {
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;

/// Runs `reap` on a small detached thread, for a daemon child that must
/// be reaped when it exits without anyone holding its handle.  If no
/// thread can be created, `reap` is dropped unrun: the backend's
/// `release_daemon` says what that leaves.
pub(crate) fn reap_in_background(reap: impl FnOnce() + Send + 'static) {
    let _ = std::thread::Builder::new()
        .name("colaunch-reaper".into())
        .stack_size(64 * 1024)
        .spawn(reap);
}

/// Waits until `deadline` (`None`: for ever) for a child to be reaped by
/// `try_wait`, polling `descriptor` for `events` (the descriptor reports
/// the child's exit), or without one, calling `try_wait` at growing
/// intervals.  `EINTR` is retried; the last word is always `try_wait`'s.
pub(crate) fn wait_until<T>(
    descriptor: Option<&OwnedFd>,
    events: libc::c_short,
    deadline: Option<std::time::Instant>,
    mut try_wait: impl FnMut() -> io::Result<Option<T>>,
) -> io::Result<Option<T>> {
    use std::time::{Duration, Instant};

    let Some(fd) = descriptor else {
        let mut pause = Duration::from_micros(100);
        loop {
            if let Some(reaped) = try_wait()? {
                return Ok(Some(reaped));
            }
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                return Ok(None);
            }
            let left = deadline.map_or(pause, |d| d - now);
            std::thread::sleep(pause.min(left));
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    };
    loop {
        let remaining = match deadline {
            Some(d) => d.saturating_duration_since(Instant::now()),
            None => Duration::from_secs(i32::MAX as u64),
        };
        let ts = libc::timespec {
            tv_sec: remaining.as_secs().min(i32::MAX as u64) as libc::time_t,
            tv_nsec: remaining.subsec_nanos() as libc::c_long,
        };
        let mut pfd = libc::pollfd {
            fd: fd.as_raw_fd(),
            events,
            revents: 0,
        };
        // SAFETY: one valid pollfd and a live timespec.
        let n = unsafe { libc::ppoll(&mut pfd, 1, &ts, std::ptr::null()) };
        if n < 0 {
            let err = io::Error::last_os_error();
            if err.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(err);
        }
        if n > 0 || remaining.is_zero() || deadline.is_some_and(|d| Instant::now() >= d) {
            return try_wait();
        }
    }
}
