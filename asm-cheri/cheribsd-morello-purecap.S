// CheriBSD purecap (CheriABI) Morello spawn stubs: pdrfork(2) and
// pdfork(2) with the child moved to its own stack before it touches
// memory, and a raw system call for the child.  Assembled by rustc through
// global_asm! (src/arch/cheribsd_morello_purecap.rs), in C64 state, by a
// CHERI Rust compiler with Morello LLVM; upstream LLVM cannot assemble it
// and it has not been assembled (docs/platforms.md has its line-by-line
// review against the ABI).
//
// This is freebsd-aarch64.S for purecap code.  Pointers are capabilities,
// so pointer arguments and the stack, return and function addresses live
// in c registers; pids, flags, syscall numbers and errnos stay in x
// registers.  The lines that differ from freebsd-aarch64.S:
//	mov c9/c10/c11, c3/c4/c5	(was mov x9/x10/x11): keep tags
//	ret c30				(was ret): return through CLR
//	mov csp, c9			(was mov sp, x9): a stack capability
//	mov c0, c11; blr c10		(was mov x0, x11; blr x10)
//	b.cs 9f				(the error label is the one at the end
//					of colaunch_freebsd_syscall6, shared
//					by all three functions)
// and colaunch_freebsd_syscall6, which only this file has (the others use
// inline asm, which cannot name c registers in upstream Rust).
//
// colaunch_freebsd_pdrfork(fdp, pdflags, rfflags, stack_top, entry, arg)
// colaunch_freebsd_pdfork(fdp, pdflags, rfflags, stack_top, entry, arg)
//	c0	int *fdp		(capability to the descriptor slot)
//	w1	int pdflags		(PD_CLOEXEC, PD_DAEMON)
//	w2	int rfflags		(RFSPAWN; pdfork ignores it)
//	c3	void *stack_top		(capability bounded to the child stack,
//					 address at its top)
//	c4	void (*entry)(void *)	(sealed entry capability; never
//					 returns)
//	c5	void *arg		(capability to the ChildArgs)
//	c30	return capability (CLR), kept in place, never spilled
//	x8	syscall number, set by the stub
//	x0	return: child pid in the parent, or -errno
//
// colaunch_freebsd_syscall6(nr, a0, a1, a2, a3, a4, a5)
//	w0	int nr
//	c1-c6	the six arguments, each a capability (an integer argument
//		is an untagged capability whose address is the value)
//	x0	return: the result, or -errno
//
// `svc #0` takes the number in x8 and the arguments in c0-c7 (CheriBSD's
// lib/libc/aarch64/SYS.h).  The kernel saves every capability register,
// tags included, and restores them on return, changing only c0, c1 and
// the carry flag: carry set with the errno in x0 on failure
// (cpu_set_syscall_retval() in CheriBSD's sys/arm64/arm64/vm_machdep.c).
// The child gets a copy of the parent's frame with x0 = x1 = 0, carry
// clear and C64 state kept (cpu_fork() there), so x0 alone splits the two.
// CheriBSD's purecap vfork.S relies on the same survival for c2, which
// holds the return capability across its svc; here c9-c11 hold the
// child's stack, entry and argument, and c30 is never touched by the
// parent at all.
//
// pdfork(2): https://man.freebsd.org/cgi/man.cgi?query=pdfork&sektion=2
// Morello AAPCS64: ARM-software/abi-aa, aapcs64-morello/ at fc99c451.

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
	// Select pdrfork (600); not in CheriBSD releases to date.
	mov	x8, #600

	// Park the child's stack, entry and argument capabilities, tags
	// and bounds included, where the trap leaves them alone.
1:	mov	c9, c3
	mov	c10, c4
	mov	c11, c5

	// Trap: fdp, pdflags and rfflags are already in c0, w1, w2.
	svc	#0

	// Split: carry means no child was made (one shared error label);
	// otherwise x0 is 0 only in the child.
	b.cs	9f
	cbz	x0, 2f

	// Parent: return the pid in x0 through the untouched c30.
	ret	c30
	.cfi_endproc

	// Child: the first instruction installs the child stack capability,
	// so nothing below it writes the parent's stack.  Writing x29 and
	// x30 clears c29 and c30 (tag included): there is no frame and no
	// return capability.  blr through the sealed entry capability
	// unseals it and links into c30.
2:	mov	csp, c9
	mov	x29, xzr
	mov	x30, xzr
	mov	c0, c11
	blr	c10

	// entry returned, which it must not: _exit(127) (SYS_exit, 1).
	mov	x0, #127
	mov	x8, #1
	svc	#0
	brk	#0x1
	.size	colaunch_freebsd_pdrfork, .-colaunch_freebsd_pdrfork

	.globl	colaunch_freebsd_syscall6
	.hidden	colaunch_freebsd_syscall6
	.type	colaunch_freebsd_syscall6, %function
	.p2align 2
colaunch_freebsd_syscall6:
	.cfi_startproc
	// Shift the number into w8 (the upper half of x0 is undefined for
	// an int argument) and the arguments down by one register, whole
	// capabilities so that pointer arguments keep their tags.
	mov	w8, w0
	mov	c0, c1
	mov	c1, c2
	mov	c2, c3
	mov	c3, c4
	mov	c4, c5
	mov	c5, c6

	// Trap, then return the result in x0, or the errno negated.
	svc	#0
	b.cs	9f
	ret	c30

	// The shared error label: both functions reach it with c30 intact.
9:	neg	x0, x0
	ret	c30
	.cfi_endproc
	.size	colaunch_freebsd_syscall6, .-colaunch_freebsd_syscall6
