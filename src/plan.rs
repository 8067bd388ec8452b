//! Everything prepared in the parent before the child is created.
//!
//! The child may not allocate, so the argument and environment arrays, the
//! `PATH` candidates, the descriptor moves and the error pipe are all built
//! here, and the child receives plain pointers into this plan
//! ([`ChildArgs`]).  The plan outlives the child's use of it: with vfork
//! semantics the parent is suspended until the child has called `execve`
//! or exited, and with fork semantics the child has its own copy.

use std::ffi::{CString, OsStr, OsString, c_char, c_int};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::ptr;

use crate::child_side::{ChildArgs, FdAction};
use crate::command::{Colocation, Command, StdioKind, Strategy};

/// The search path `execvp(3)` uses when `PATH` is unset (glibc and
/// FreeBSD libc agree on the directories).
const DEFAULT_PATH: &[u8] = b"/bin:/usr/bin";

/// A NUL-terminated array of C strings and the strings it points into.
#[derive(Default)]
pub(crate) struct CStringArray {
    strings: Vec<CString>,
    ptrs: Vec<*const c_char>,
}

impl CStringArray {
    fn push(&mut self, s: CString) {
        self.strings.push(s);
    }

    /// Builds the pointer array; moving `strings` later is fine because a
    /// `CString`'s bytes live on the heap and do not move with it.
    fn seal(&mut self) {
        self.ptrs.clear();
        self.ptrs.extend(self.strings.iter().map(|s| s.as_ptr()));
        self.ptrs.push(ptr::null());
    }

    pub(crate) fn as_ptr(&self) -> *const *const c_char {
        self.ptrs.as_ptr()
    }
}

/// The parent's ends of the standard-stream pipes, in the order
/// stdin, stdout, stderr.
pub(crate) type ParentPipes = [Option<OwnedFd>; 3];

/// A CheriBSD capability vector for `coexecvec(2)`, as
/// [`Command::capability_vector`] stores it.
#[cfg(cheri_purecap)]
#[derive(Clone, Debug, Default)]
pub(crate) struct CapabilityVector(pub(crate) Vec<*mut std::ffi::c_void>);

// SAFETY: the capabilities are never dereferenced by this crate; the
// kernel copies them into the child in coexecvec(2).  Sharing the list
// between threads shares no memory it points to.
#[cfg(cheri_purecap)]
unsafe impl Send for CapabilityVector {}

// SAFETY: as for Send; the list is only read.
#[cfg(cheri_purecap)]
unsafe impl Sync for CapabilityVector {}

/// Everything the parent prepares for one spawn.
pub(crate) struct Plan {
    pub(crate) argv: CStringArray,
    pub(crate) envp: CStringArray,
    pub(crate) candidates: CStringArray,
    pub(crate) cwd: Option<CString>,
    pub(crate) actions: Vec<FdAction>,
    /// Descriptors opened for this spawn only (`/dev/null`, the child's
    /// pipe ends, moved sources); closed when the plan is dropped.
    pub(crate) temporary: Vec<OwnedFd>,
    pub(crate) parent_pipes: ParentPipes,
    /// The highest descriptor number the child's setup writes to.
    pub(crate) max_target: RawFd,
    pub(crate) process_group: Option<i32>,
    pub(crate) signal_mask: Option<[u64; 2]>,
    pub(crate) parent_death_signal: c_int,
    /// This process's pid, for the child's parent-death check and for
    /// [`Colocation::Parent`]; 0 when the command asks for neither.
    pub(crate) parent_pid: libc::pid_t,
    pub(crate) strategy: Strategy,
    pub(crate) descriptor: bool,
    /// `Command::daemon`: the FreeBSD backend turns it into `PD_DAEMON`.
    #[cfg_attr(not(target_os = "freebsd"), allow(dead_code))]
    pub(crate) daemon: bool,
    pub(crate) colocation: Option<Colocation>,
    #[cfg(cheri_purecap)]
    pub(crate) capability_vector: Option<CapabilityVector>,
}

impl Plan {
    /// Prepares a spawn of `cmd`; `defaults` are the stdio settings used
    /// where `cmd` has none (they differ between `spawn` and `output`).
    pub(crate) fn new(cmd: &Command, defaults: [StdioKind; 3]) -> io::Result<Self> {
        check_options(cmd)?;
        let program = c_string(&cmd.program, "the program")?;

        let mut argv = CStringArray::default();
        argv.push(c_string(
            cmd.arg0.as_deref().unwrap_or(&cmd.program),
            "argv[0]",
        )?);
        for (i, arg) in cmd.args.iter().enumerate() {
            // The argument's name is formatted only if it has a NUL.
            argv.push(c_string_named(arg, || format!("argument {}", i + 1))?);
        }
        argv.seal();

        let (mut envp, path) = environment(cmd)?;
        envp.seal();
        let mut candidates = program_candidates(program, path.as_deref())?;
        candidates.seal();

        let cwd = match &cmd.cwd {
            Some(dir) => Some(c_string(dir.as_os_str(), "the working directory")?),
            None => None,
        };

        let mut plan = Self {
            argv,
            envp,
            candidates,
            cwd,
            actions: Vec::new(),
            temporary: Vec::new(),
            parent_pipes: [None, None, None],
            max_target: 2,
            process_group: cmd.process_group,
            signal_mask: cmd.signal_mask.map(|m| m.bits),
            parent_death_signal: cmd.parent_death_signal.unwrap_or(0),
            parent_pid: parent_pid(cmd),
            strategy: cmd.strategy,
            descriptor: cmd.descriptor,
            daemon: cmd.daemon,
            colocation: cmd.colocation,
            #[cfg(cheri_purecap)]
            capability_vector: cmd.capability_vector.clone(),
        };
        plan.descriptors(cmd, defaults)?;
        Ok(plan)
    }

    /// Builds the descriptor moves: standard streams, then extra fds.
    fn descriptors(&mut self, cmd: &Command, defaults: [StdioKind; 3]) -> io::Result<()> {
        let configured = [&cmd.stdin, &cmd.stdout, &cmd.stderr];
        for (slot, (cfg, default)) in configured.into_iter().zip(defaults).enumerate() {
            let target = slot as RawFd;
            // A stream left to its default yields to an explicit
            // `Command::fd` onto the same number.
            if cfg.is_none() && cmd.fds.iter().any(|(n, _)| *n == target) {
                continue;
            }
            let kind = cfg.as_ref().map(|s| &s.0).unwrap_or(&default);
            match kind {
                StdioKind::Inherit => {}
                StdioKind::Null => {
                    let null = open_dev_null()?;
                    self.actions.push(FdAction {
                        src: null.as_raw_fd(),
                        dst: target,
                    });
                    self.temporary.push(null);
                }
                StdioKind::Piped => {
                    let (read, write) = pipe()?;
                    let (child_end, parent_end) = if slot == 0 {
                        (read, write)
                    } else {
                        (write, read)
                    };
                    self.actions.push(FdAction {
                        src: child_end.as_raw_fd(),
                        dst: target,
                    });
                    self.temporary.push(child_end);
                    self.parent_pipes[slot] = Some(parent_end);
                }
                StdioKind::Fd(fd) => self.actions.push(FdAction {
                    src: fd.as_raw_fd(),
                    dst: target,
                }),
            }
        }

        for (child_fd, fd) in &cmd.fds {
            if *child_fd < 0 {
                return Err(invalid(format!("child descriptor {child_fd} is negative")));
            }
            // An explicit Stdio::inherit() makes no move, so a conflict
            // with a standard stream is checked on the setting itself.
            let stream_set = usize::try_from(*child_fd)
                .ok()
                .and_then(|slot| configured.get(slot))
                .is_some_and(|cfg| cfg.is_some());
            if stream_set || self.actions.iter().any(|a| a.dst == *child_fd) {
                return Err(invalid(format!(
                    "child descriptor {child_fd} is mapped twice"
                )));
            }
            self.actions.push(FdAction {
                src: fd.as_raw_fd(),
                dst: *child_fd,
            });
        }
        self.max_target = self.actions.iter().map(|a| a.dst).fold(2, RawFd::max);

        // A source that is also another move's target would be overwritten
        // before it is read; move such sources above every target now, in
        // the parent, so the child's moves can run in any order.
        for i in 0..self.actions.len() {
            let FdAction { src, dst } = self.actions[i];
            if src != dst && self.actions.iter().any(|a| a.dst == src) {
                let moved = dup_above(src, self.max_target)?;
                self.actions[i].src = moved.as_raw_fd();
                self.temporary.push(moved);
            }
        }
        Ok(())
    }

    /// The arguments the child reads, pointing into this plan.
    pub(crate) fn child_args(&self, err_fd: RawFd, mask: [u64; 2]) -> ChildArgs {
        ChildArgs {
            candidates: self.candidates.as_ptr(),
            argv: self.argv.as_ptr(),
            envp: self.envp.as_ptr(),
            cwd: self.cwd.as_ref().map_or(ptr::null(), |c| c.as_ptr()),
            actions: self.actions.as_ptr(),
            action_count: self.actions.len(),
            process_group: self.process_group,
            mask,
            reset_handlers: false,
            parent_death_signal: self.parent_death_signal,
            parent_pid: self.parent_pid,
            err_fd,
            observed_sp: 0,
            observed_mask: [0; 2],
            #[cfg(cheri_purecap)]
            coexec: None,
        }
    }

    /// Creates the close-on-exec error pipe, its write end above every
    /// descriptor the child's setup writes to.
    ///
    /// Both ends are non-blocking: the child's one 8-byte write always fits
    /// an empty pipe, and the parent decides itself whether to wait
    /// (`sys::shared::read_error`).
    pub(crate) fn error_pipe(&self) -> io::Result<(OwnedFd, OwnedFd)> {
        let (read, write) = pipe_with(libc::O_NONBLOCK)?;
        if write.as_raw_fd() > self.max_target {
            return Ok((read, write));
        }
        Ok((read, dup_above(write.as_raw_fd(), self.max_target)?))
    }
}

/// The pid `Plan::parent_pid` needs, or 0.  Most spawns need none, and
/// `getpid` is a real system call (glibc has not cached it since 2.25).
fn parent_pid(cmd: &Command) -> libc::pid_t {
    if cmd.parent_death_signal.is_none() && cmd.colocation.is_none() {
        return 0;
    }
    // SAFETY: getpid(2) has no preconditions and cannot fail.
    unsafe { libc::getpid() }
}

/// Rejects option combinations before anything is created.
fn check_options(cmd: &Command) -> io::Result<()> {
    if let Some(mask) = cmd.signal_mask
        && (!mask.is_valid() || mask.max_signal() > crate::sys::MAX_SIGNAL)
    {
        return Err(invalid(
            "the signal mask holds a signal number this kernel lacks",
        ));
    }
    if let Some(signal) = cmd.parent_death_signal {
        if !(1..=crate::sys::MAX_SIGNAL).contains(&signal) {
            return Err(invalid(format!(
                "parent death signal {signal} is not a signal"
            )));
        }
        if cmd.daemon {
            return Err(invalid("a daemon child cannot have a parent death signal"));
        }
    }
    if let Some(pgroup) = cmd.process_group
        && pgroup < 0
    {
        return Err(invalid(format!("process group {pgroup} is negative")));
    }
    Ok(())
}

/// The child's environment and the `PATH` to search for the program.
fn environment(cmd: &Command) -> io::Result<(CStringArray, Option<OsString>)> {
    let mut envp = CStringArray::default();
    let mut path = None;
    if !cmd.env_clear {
        for (key, val) in std::env::vars_os() {
            if cmd.env.contains_key(&key) {
                continue;
            }
            envp.push(env_entry(&key, &val)?);
            if key == "PATH" {
                path = Some(val);
            }
        }
    }
    for (key, val) in &cmd.env {
        let bytes = key.as_bytes();
        if bytes.is_empty() || bytes.contains(&b'=') {
            let key = key.to_string_lossy();
            return Err(invalid(format!(
                "environment variable name {key:?} is empty or has '='"
            )));
        }
        let Some(val) = val else {
            if bytes.contains(&0) {
                let key = key.to_string_lossy();
                return Err(invalid(format!(
                    "environment variable {key:?} contains a NUL byte"
                )));
            }
            continue;
        };
        if key == "PATH" {
            path = Some(val.clone());
        }
        envp.push(env_entry(key, val)?);
    }
    Ok((envp, path))
}

fn env_entry(key: &OsStr, val: &OsStr) -> io::Result<CString> {
    let mut entry = Vec::with_capacity(key.len() + val.len() + 2);
    entry.extend_from_slice(key.as_bytes());
    entry.push(b'=');
    entry.extend_from_slice(val.as_bytes());
    CString::new(entry).map_err(|_| {
        invalid(format!(
            "environment variable {:?} contains a NUL byte",
            key.to_string_lossy()
        ))
    })
}

/// The paths to try, in order, as `execvp(3)` would.
fn program_candidates(program: CString, path: Option<&OsStr>) -> io::Result<CStringArray> {
    let name = program.as_bytes();
    if name.is_empty() {
        return Err(io::Error::from_raw_os_error(libc::ENOENT));
    }

    let mut candidates = CStringArray::default();
    if name.contains(&b'/') {
        candidates.push(program);
        return Ok(candidates);
    }
    // No directory can hold a file of this name; say so, as the kernel
    // would for each candidate, rather than ENOENT after skipping them
    // all as longer than PATH_MAX.
    if name.len() > libc::NAME_MAX as usize {
        return Err(io::Error::from_raw_os_error(libc::ENAMETOOLONG));
    }

    // An empty PATH element means the current directory, as in execvp.
    // An element with a NUL byte cannot name a directory and is skipped,
    // and so, as glibc's execvp does, is one that would make a path
    // longer than PATH_MAX, so that it does not end the search with
    // ENAMETOOLONG.
    let path = path.map_or(DEFAULT_PATH, OsStr::as_bytes);
    for dir in path.split(|&b| b == b':') {
        let dir: &[u8] = if dir.is_empty() { b"." } else { dir };
        if dir.len() + name.len() + 2 > libc::PATH_MAX as usize {
            continue;
        }
        let mut full = Vec::with_capacity(dir.len() + name.len() + 2);
        full.extend_from_slice(dir);
        full.push(b'/');
        full.extend_from_slice(name);
        if let Ok(full) = CString::new(full) {
            candidates.push(full);
        }
    }
    Ok(candidates)
}

fn c_string(s: &OsStr, what: &str) -> io::Result<CString> {
    c_string_named(s, || what.to_owned())
}

/// `s` as a C string, copied once: with room for the NUL from the start,
/// `CString::new` need not grow the buffer.  `what` names `s` in the error.
fn c_string_named(s: &OsStr, what: impl FnOnce() -> String) -> io::Result<CString> {
    let mut bytes = Vec::with_capacity(s.len() + 1);
    bytes.extend_from_slice(s.as_bytes());
    CString::new(bytes).map_err(|_| {
        invalid(format!(
            "{} {:?} contains a NUL byte",
            what(),
            s.to_string_lossy()
        ))
    })
}

fn invalid(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg.into())
}

/// `pipe2(2)` with both ends close-on-exec.
pub(crate) fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    pipe_with(0)
}

/// `pipe2(2)` with both ends close-on-exec and `flags` added.
fn pipe_with(flags: c_int) -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [-1 as c_int; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | flags) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so both are new descriptors we own.
    unsafe { Ok((OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1]))) }
}

fn open_dev_null() -> io::Result<OwnedFd> {
    // SAFETY: the path is a NUL-terminated literal.
    let fd = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR | libc::O_CLOEXEC) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: open succeeded, so `fd` is a new descriptor we own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// A close-on-exec duplicate of `fd` numbered above `floor`; `EINVAL`,
/// as from `fcntl(2)` for a number past the limit, if none is above it.
fn dup_above(fd: RawFd, floor: RawFd) -> io::Result<OwnedFd> {
    let lowest = floor
        .checked_add(1)
        .ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: F_DUPFD_CLOEXEC only reads `fd`; a bad one is EBADF.
    let new = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, lowest) };
    if new < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fcntl succeeded, so `new` is a new descriptor we own.
    Ok(unsafe { OwnedFd::from_raw_fd(new) })
}

#[cfg(test)]
mod tests;
