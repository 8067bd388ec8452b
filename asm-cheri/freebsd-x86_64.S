# FreeBSD amd64 spawn stubs: pdrfork(2) and pdfork(2) with the child moved
# to its own stack before it touches memory.  Assembled by rustc through
# global_asm! (src/arch/freebsd_x86_64.rs).
#
# pdrfork(fdp, pdflags, RFSPAWN) is a vfork that returns a process
# descriptor: the child borrows the parent's address space *and stack*
# until it calls execve or exits.  On amd64 `call` and `ret` keep the
# return address on that stack, so a child that returned from a wrapper,
# or called anything on the shared stack, would overwrite the slots the
# parent returns through when it resumes (the hazard FreeBSD's
# pdrfork_thread.S and posix_spawn.c avoid the same way).  Here the child
# executes no stack access at all before `movq %r13, %rsp` puts it on the
# stack the caller mapped for it, then calls entry(arg), which never
# returns.  pdfork(2) copies the address space instead; the same path
# serves it so that both children start alike.
#
# colaunch_freebsd_pdrfork(fdp, pdflags, rfflags, stack_top, entry, arg)
# colaunch_freebsd_pdfork(fdp, pdflags, rfflags, stack_top, entry, arg)
#	rdi	int *fdp		(the parent's descriptor slot)
#	esi	int pdflags		(PD_CLOEXEC, PD_DAEMON)
#	edx	int rfflags		(RFSPAWN; pdfork ignores it)
#	rcx	void *stack_top		(highest address of the child stack)
#	r8	void (*entry)(void *)	(never returns)
#	r9	void *arg
#	rax	return: child pid in the parent, or -errno
#
# The trap takes the number in eax and the arguments in rdi, rsi, rdx
# (pdfork(2), pdrfork(2)).  It reports failure with the carry flag set
# and the errno in rax, success with carry clear; it clobbers rax, rdx,
# rcx and r11 (lib/libsys/amd64/SYS.h).  The child leaves the kernel with
# a copy of the parent's registers except rax = 0, rdx = 1 and carry
# clear (cpu_fork() in sys/amd64/amd64/vm_machdep.c), so rax alone splits
# the two.  stack_top, entry and arg are parked in the callee-saved r13,
# rbx and r12, which both processes get back unchanged; the parent saved
# their old values on its own stack first and restores them itself.
#
# pdfork(2): https://man.freebsd.org/cgi/man.cgi?query=pdfork&sektion=2
# rfork(2):  https://man.freebsd.org/cgi/man.cgi?query=rfork&sektion=2

	.text

	.globl	colaunch_freebsd_pdfork
	.hidden	colaunch_freebsd_pdfork
	.type	colaunch_freebsd_pdfork, @function
	.p2align 4
colaunch_freebsd_pdfork:
	.cfi_startproc
	# Select pdfork (518) and share the body below.
	movl	$518, %eax
	jmp	1f
	.cfi_endproc
	.size	colaunch_freebsd_pdfork, .-colaunch_freebsd_pdfork

	.globl	colaunch_freebsd_pdrfork
	.hidden	colaunch_freebsd_pdrfork
	.type	colaunch_freebsd_pdrfork, @function
	.p2align 4
colaunch_freebsd_pdrfork:
	.cfi_startproc
	# Select pdrfork (600, FreeBSD 15.1).
	movl	$600, %eax

	# Save rbx, r12 and r13 for the parent and park the child's
	# entry, argument and stack in them.  These pushes go to the
	# parent's stack before the trap; the child never reads them.
1:	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbx, 0
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r12, 0
	pushq	%r13
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r13, 0
	movq	%r8, %rbx
	movq	%r9, %r12
	movq	%rcx, %r13

	# Trap: fdp, pdflags and rfflags are already in rdi, esi, edx.
	syscall

	# Split: carry means no child was made (one shared error label);
	# otherwise rax is 0 only in the child.
	jc	9f
	testq	%rax, %rax
	jz	2f

	# Parent: restore and return the pid in rax.
3:	popq	%r13
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r13
	popq	%r12
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r12
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	.cfi_restore %rbx
	ret

	# Error: the kernel gave a positive errno; return it negated.
	.cfi_adjust_cfa_offset 24
	.cfi_rel_offset %rbx, 16
	.cfi_rel_offset %r12, 8
	.cfi_rel_offset %r13, 0
9:	negq	%rax
	jmp	3b
	.cfi_endproc

	# Child: the first instruction switches to the child stack, so
	# nothing below it writes the parent's.  There is no frame to
	# return to: clear the frame pointer for debuggers, align for the
	# SysV call (stack_top is page aligned already), call entry(arg).
2:	movq	%r13, %rsp
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	movq	%r12, %rdi
	call	*%rbx

	# entry returned, which it must not: _exit(127) (SYS_exit, 1).
	movl	$127, %edi
	movl	$1, %eax
	syscall
	ud2
	.size	colaunch_freebsd_pdrfork, .-colaunch_freebsd_pdrfork
