// FreeBSD aarch64 spawn stubs: pdrfork(2) and pdfork(2) with the child
// moved to its own stack before it touches memory.  Assembled by rustc
// through global_asm! (src/arch/freebsd_aarch64.rs).  The same file serves
// plain aarch64 and Morello hybrid processes: it holds no capability
// instruction and keeps no capability across the trap, so hybrid code,
// whose c19-c30 are not callee-saved, loses nothing it relied on.
//
// pdrfork(fdp, pdflags, RFSPAWN) is a vfork that returns a process
// descriptor: the child borrows the parent's address space and stack
// until it calls execve or exits.  The return address stays in x30 and
// nothing here stores to the stack, so the parent's frames are never
// written; the child's first act is `mov sp, x9`, after which it calls
// entry(arg), which never returns.  pdfork(2) copies the address space
// instead; the same path serves it so that both children start alike.
// cheribsd-morello-purecap.S is this file for purecap Morello; its header
// lists the lines that differ.
//
// colaunch_freebsd_pdrfork(fdp, pdflags, rfflags, stack_top, entry, arg)
// colaunch_freebsd_pdfork(fdp, pdflags, rfflags, stack_top, entry, arg)
//	x0	int *fdp		(the parent's descriptor slot)
//	w1	int pdflags		(PD_CLOEXEC, PD_DAEMON)
//	w2	int rfflags		(RFSPAWN; pdfork ignores it)
//	x3	void *stack_top		(highest address of the child stack)
//	x4	void (*entry)(void *)	(never returns)
//	x5	void *arg
//	x8	syscall number, set by the stub
//	x0	return: child pid in the parent, or -errno
//
// `svc #0` takes the number in x8 and the arguments in x0-x7
// (lib/libsys/aarch64/SYS.h).  The kernel saves the whole register file
// on the trap and restores it on return, changing only x0, x1 and the
// carry flag: carry set with the errno in x0 on failure, carry clear with
// the result in x0 on success (cpu_set_syscall_retval() in
// sys/arm64/arm64/vm_machdep.c).  The child leaves the kernel with a copy
// of the parent's frame except x0 = x1 = 0 and carry clear (cpu_fork()
// in the same file), so x0 alone splits the two; FreeBSD's vfork.S
// instead masks x0 with x1 - 1, a leftover of the old convention where
// the child had x1 = 1.  stack_top, entry and arg are parked in the
// scratch registers x9, x10 and x11, which the trap leaves alone in both
// processes, as libc's vfork.S relies on for x2.  The parent touches no
// callee-saved register, so it has nothing to restore.
//
// pdfork(2): https://man.freebsd.org/cgi/man.cgi?query=pdfork&sektion=2
// rfork(2):  https://man.freebsd.org/cgi/man.cgi?query=rfork&sektion=2

	.text

	.globl	colaunch_freebsd_pdfork
	.hidden	colaunch_freebsd_pdfork
	.type	colaunch_freebsd_pdfork, %function
	.p2align 2
colaunch_freebsd_pdfork:
	.cfi_startproc
	// Select pdfork (518) and share the body below.
	mov	x8, #518
	b	1f
	.cfi_endproc
	.size	colaunch_freebsd_pdfork, .-colaunch_freebsd_pdfork

	.globl	colaunch_freebsd_pdrfork
	.hidden	colaunch_freebsd_pdrfork
	.type	colaunch_freebsd_pdrfork, %function
	.p2align 2
colaunch_freebsd_pdrfork:
	.cfi_startproc
	// Select pdrfork (600, FreeBSD 15.1).
	mov	x8, #600

	// Park the child's stack, entry and argument where the trap
	// leaves them alone.
1:	mov	x9, x3
	mov	x10, x4
	mov	x11, x5

	// Trap: fdp, pdflags and rfflags are already in x0, w1, w2.
	svc	#0

	// Split: carry means no child was made (one shared error label);
	// otherwise x0 is 0 only in the child.
	b.cs	9f
	cbz	x0, 2f

	// Parent: return the pid in x0.
	ret

	// Error: the kernel gave a positive errno; return it negated.
9:	neg	x0, x0
	ret
	.cfi_endproc

	// Child: the first instruction switches to the child stack, so
	// nothing below it writes the parent's.  There is no frame to
	// return to: clear the frame pointer and link register for
	// debuggers, and call entry(arg).  stack_top is page aligned.
2:	mov	sp, x9
	mov	x29, xzr
	mov	x30, xzr
	mov	x0, x11
	blr	x10

	// entry returned, which it must not: _exit(127) (SYS_exit, 1).
	mov	x0, #127
	mov	x8, #1
	svc	#0
	brk	#0x1
	.size	colaunch_freebsd_pdrfork, .-colaunch_freebsd_pdrfork
