//! The spawn methods compared, each one spawn and one wait per call.

use std::ffi::{CString, c_char};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::ptr;

use colaunch::Strategy;

unsafe extern "C" {
    /// The C library's current environment, handed to the raw methods as
    /// is, the way `posix_spawn` callers usually do.
    static environ: *const *mut c_char;
}

/// One way of starting the target program and waiting for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    /// `colaunch::Command` with its default strategy.
    Colaunch,
    /// The C library's `posix_spawn` and `waitpid`: the reference.
    PosixSpawn,
    /// `std::process::Command::status`.
    StdCommand,
    /// `fork`, `execve`, `waitpid`: what a `pdfork`-style spawn costs.
    ForkExec,
    /// `colaunch::Command` with [`Strategy::Fork`].
    ColaunchFork,
}

impl Method {
    /// Every method, in the order they are run and reported.
    pub(crate) const ALL: [Method; 5] = [
        Method::Colaunch,
        Method::PosixSpawn,
        Method::StdCommand,
        Method::ForkExec,
        Method::ColaunchFork,
    ];

    /// The name used on the command line, in the table and in the JSON.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Method::Colaunch => "colaunch",
            Method::PosixSpawn => "posix_spawn",
            Method::StdCommand => "std_command",
            Method::ForkExec => "fork_exec",
            Method::ColaunchFork => "colaunch_fork",
        }
    }

    /// The method called `name`, if there is one.
    pub(crate) fn from_name(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// A method made ready to spawn one program again and again.
///
/// The raw methods build their `argv` once, as a caller of `posix_spawn`
/// that spawns in a loop would; the two builders are made anew for each
/// spawn, as their callers usually do, so their per-spawn cost counts.
pub(crate) struct Spawner {
    method: Method,
    program: PathBuf,
    /// The arguments after `argv[0]`.
    args: Vec<String>,
    /// Keeps the C strings that `argv` points into alive.
    _strings: Vec<CString>,
    /// `argv` for the raw methods, null-terminated.
    argv: Vec<*mut c_char>,
}

impl Spawner {
    /// Prepares `method` for `program`, an absolute path, to be run with
    /// `arg_count` arguments (`arg1`, `arg2`, ...).
    pub(crate) fn new(method: Method, program: &Path, arg_count: usize) -> io::Result<Self> {
        let args: Vec<String> = (1..=arg_count).map(|i| format!("arg{i}")).collect();
        let program_c = CString::new(program.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL in the program path"))?;
        let mut strings = vec![program_c];
        strings.extend(
            args.iter()
                .map(|a| CString::new(a.as_str()).expect("no NUL")),
        );
        let mut argv: Vec<*mut c_char> = strings.iter().map(|s| s.as_ptr().cast_mut()).collect();
        argv.push(ptr::null_mut());
        Ok(Self {
            method,
            program: program.to_owned(),
            args,
            _strings: strings,
            argv,
        })
    }

    /// Spawns the program once and waits for it to exit with status 0.
    ///
    /// Never inlined, so that a profile shows each method's whole cost as
    /// this one function's inclusive cost.
    #[inline(never)]
    pub(crate) fn run(&mut self) -> io::Result<()> {
        match self.method {
            Method::Colaunch => check_colaunch(
                colaunch::Command::new(&self.program)
                    .args(&self.args)
                    .status(),
            ),
            Method::ColaunchFork => check_colaunch(
                colaunch::Command::new(&self.program)
                    .args(&self.args)
                    .strategy(Strategy::Fork)
                    .status(),
            ),
            Method::StdCommand => {
                let status = std::process::Command::new(&self.program)
                    .args(&self.args)
                    .status()?;
                match status.success() {
                    true => Ok(()),
                    false => Err(io::Error::other(format!("the target ended with {status}"))),
                }
            }
            Method::PosixSpawn => self.posix_spawn(),
            Method::ForkExec => self.fork_exec(),
        }
    }

    fn posix_spawn(&mut self) -> io::Result<()> {
        let mut pid = 0;
        // SAFETY: `argv` is a null-terminated array of C strings owned by
        // `self`, `environ` is the C library's own, and null file actions
        // and attributes mean none.
        let err = unsafe {
            libc::posix_spawn(
                &mut pid,
                self.argv[0],
                ptr::null(),
                ptr::null(),
                self.argv.as_ptr(),
                environ,
            )
        };
        if err != 0 {
            return Err(io::Error::from_raw_os_error(err));
        }
        wait_pid(pid)
    }

    fn fork_exec(&mut self) -> io::Result<()> {
        // SAFETY: the child calls only execve and _exit, which are
        // async-signal-safe, so forking a multi-threaded parent is sound.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            // SAFETY: as above; the arrays are valid and null-terminated.
            unsafe {
                libc::execve(self.argv[0], self.argv.as_ptr().cast(), environ.cast());
                libc::_exit(127);
            }
        }
        if pid < 0 {
            return Err(io::Error::last_os_error());
        }
        wait_pid(pid)
    }
}

fn check_colaunch(status: io::Result<colaunch::ExitStatus>) -> io::Result<()> {
    let status = status?;
    match status.success() {
        true => Ok(()),
        false => Err(io::Error::other(format!("the target ended with {status}"))),
    }
}

/// Reaps `pid`, retrying `EINTR`, and checks that it exited with 0.
fn wait_pid(pid: libc::pid_t) -> io::Result<()> {
    let mut status = 0;
    loop {
        // SAFETY: `pid` is our unreaped child and `status` is writable.
        if unsafe { libc::waitpid(pid, &mut status, 0) } >= 0 {
            break;
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
    if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
        return Ok(());
    }
    Err(io::Error::other(format!(
        "the target ended with wait status {status:#x}"
    )))
}
