//! The default spawn target: a tiny static program written by the bench.
//!
//! The program's own start-up must cost next to nothing, or it would hide
//! the launcher's overhead; even a static C program spends tens of
//! microseconds in its C library before `main`.  So the bench writes a
//! complete ELF executable itself: one loadable segment holding three
//! instructions that call `exit_group(0)`.  No compiler, linker or C
//! library is needed, only a directory that allows execution.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process;

/// Where the segment is loaded; the usual base of a static executable.
const BASE: u64 = 0x40_0000;

/// Segment alignment: 64 KiB suits every page size aarch64 kernels use.
const ALIGN: u64 = 0x1_0000;

const EHDR_LEN: usize = 64;
const PHDR_LEN: usize = 56;
const PHDR_COUNT: usize = 2;

/// `PT_GNU_STACK`: asks for a non-executable stack.
const PT_GNU_STACK: u32 = 0x6474_e551;

/// The ELF machine number and the code of `exit_group(0)` for this target.
fn machine_code() -> io::Result<(u16, &'static [u8])> {
    match std::env::consts::ARCH {
        // xor edi, edi; mov eax, 231 (exit_group); syscall
        "x86_64" => Ok((62, &[0x31, 0xff, 0xb8, 0xe7, 0, 0, 0, 0x0f, 0x05])),
        // mov x0, #0; mov x8, #94 (exit_group); svc #0
        "aarch64" => Ok((
            183,
            &[
                0x00, 0x00, 0x80, 0xd2, 0xc8, 0x0b, 0x80, 0xd2, 0x01, 0x00, 0x00, 0xd4,
            ],
        )),
        arch => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("no built-in target program for {arch}; pass --program PATH"),
        )),
    }
}

/// The bytes of the whole executable.
fn image() -> io::Result<Vec<u8>> {
    let (machine, code) = machine_code()?;
    let code_at = (EHDR_LEN + PHDR_COUNT * PHDR_LEN) as u64;
    let total = code_at + code.len() as u64;

    let mut elf = Vec::with_capacity(total as usize);
    // e_ident: magic, 64-bit, little-endian, version 1, System V ABI.
    elf.extend_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0]);
    elf.extend_from_slice(&[0; 8]);
    elf.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    elf.extend_from_slice(&machine.to_le_bytes());
    elf.extend_from_slice(&1u32.to_le_bytes()); // EV_CURRENT
    elf.extend_from_slice(&(BASE + code_at).to_le_bytes()); // entry point
    elf.extend_from_slice(&(EHDR_LEN as u64).to_le_bytes()); // phoff
    elf.extend_from_slice(&0u64.to_le_bytes()); // no section headers
    elf.extend_from_slice(&0u32.to_le_bytes()); // flags
    for half in [EHDR_LEN, PHDR_LEN, PHDR_COUNT, 64, 0, 0] {
        elf.extend_from_slice(&(half as u16).to_le_bytes());
    }

    // PT_LOAD, read and execute: the whole file, headers included.
    let load: [u64; 6] = [0, BASE, BASE, total, total, ALIGN];
    elf.extend_from_slice(&1u32.to_le_bytes());
    elf.extend_from_slice(&5u32.to_le_bytes());
    load.iter()
        .for_each(|v| elf.extend_from_slice(&v.to_le_bytes()));

    // PT_GNU_STACK, read and write.
    elf.extend_from_slice(&PT_GNU_STACK.to_le_bytes());
    elf.extend_from_slice(&6u32.to_le_bytes());
    [0u64; 5]
        .iter()
        .for_each(|v| elf.extend_from_slice(&v.to_le_bytes()));
    elf.extend_from_slice(&16u64.to_le_bytes());

    elf.extend_from_slice(code);
    assert_eq!(elf.len() as u64, total, "ELF layout arithmetic is off");
    Ok(elf)
}

/// Writes the program into `dir` and checks that it runs and exits with 0.
///
/// The file is written under a per-process name and renamed, so that two
/// benches running at once never execute a half-written file.
pub(crate) fn build(dir: &Path) -> io::Result<PathBuf> {
    let bytes = image()?;
    fs::create_dir_all(dir)?;
    let path = dir.join(format!("colaunch-bench-exit0-{}", std::env::consts::ARCH));
    let partial = dir.join(format!(".colaunch-bench-exit0.{}", process::id()));
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o755)
        .open(&partial)?;
    file.write_all(&bytes)?;
    file.set_permissions(fs::Permissions::from_mode(0o755))?;
    drop(file);
    fs::rename(&partial, &path)?;

    let status = process::Command::new(&path).status().map_err(|e| {
        io::Error::new(
            e.kind(),
            format!(
                "cannot run {} ({e}); is the directory mounted noexec?",
                path.display()
            ),
        )
    })?;
    // qemu-user hands a foreign binary's execve to the host kernel, which
    // cannot run it unless binfmt_misc is set up for qemu.
    if !status.success() {
        return Err(io::Error::other(format!(
            "{} exited with {status}; under qemu-user without binfmt_misc, \
             pass --program with a host binary such as /bin/true",
            path.display()
        )));
    }
    Ok(path)
}
