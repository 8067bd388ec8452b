# Linux x86_64 spawn stubs: clone3(2) and clone(2) with the child on its own
# stack.  Assembled by rustc through global_asm! (src/arch/x86_64.rs).
#
# A function that returns twice cannot be written in Rust, so the split
# between parent and child happens here.  The child never returns from
# these functions: it runs `entry(arg)` on the stack the caller supplied,
# and `entry` must not return (if it does, the child exits with 127).
#
# colaunch_linux_clone3(args, size, entry, arg)
#	rdi	struct clone_args *args	(stack and stack_size filled in)
#	rsi	size_t size		(sizeof *args)
#	rdx	void (*entry)(void *)	(never returns)
#	rcx	void *arg
#	rax	return: child pid in the parent, or -errno
#
# colaunch_linux_clone(flags, stack_top, parent_tid, entry, arg)
#	rdi	unsigned long flags	(CLONE_* | exit signal)
#	rsi	void *stack_top		(highest address of the child stack)
#	rdx	int *parent_tid		(pidfd slot with CLONE_PIDFD)
#	rcx	void (*entry)(void *)	(never returns)
#	r8	void *arg
#	rax	return: child pid in the parent, or -errno
#
# The raw syscall takes its arguments in rdi, rsi, rdx, r10, r8, r9 and
# clobbers only rax, rcx and r11 (clone(2), syscall(2)).  Both processes
# leave the kernel with every other register as it was, so `entry` and
# `arg` are parked in callee-saved rbx and r12: the parent pops its saved
# values from its own stack, the child never looks at that stack again.

	.text

	.globl	colaunch_linux_clone3
	.hidden	colaunch_linux_clone3
	.type	colaunch_linux_clone3, @function
	.p2align 4
colaunch_linux_clone3:
	.cfi_startproc
	# Save rbx and r12 for the parent and park entry and arg in them.
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbx, 0
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r12, 0
	movq	%rdx, %rbx
	movq	%rcx, %r12

	# Trap: clone3(args, size).  The kernel starts the child with
	# rsp = args->stack + args->stack_size.
	movl	$435, %eax
	syscall

	# Split: rax is 0 only in the child.
	testq	%rax, %rax
	jz	1f

	# Parent or error: restore and return rax unchanged.
	popq	%r12
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r12
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	.cfi_restore %rbx
	ret
	.cfi_endproc

	# Child: already on its own stack; share the tail with clone.
1:	jmp	2f
	.size	colaunch_linux_clone3, .-colaunch_linux_clone3

	.globl	colaunch_linux_clone
	.hidden	colaunch_linux_clone
	.type	colaunch_linux_clone, @function
	.p2align 4
colaunch_linux_clone:
	.cfi_startproc
	# Save rbx and r12 for the parent and park entry and arg in them.
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbx, 0
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r12, 0
	movq	%rcx, %rbx
	movq	%r8, %r12

	# Trap: clone(flags, stack_top, parent_tid, child_tid = 0, tls = 0).
	# x86_64 has the default argument order: child_tid before tls.
	xorl	%r10d, %r10d
	xorl	%r8d, %r8d
	movl	$56, %eax
	syscall

	# Split: rax is 0 only in the child.
	testq	%rax, %rax
	jz	2f

	# Parent or error: restore and return rax unchanged.
	popq	%r12
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r12
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	.cfi_restore %rbx
	ret
	.cfi_endproc

	# Child: rsp is the new stack.  Nothing above it is a frame to
	# return to, so clear the frame pointer for debuggers, align the
	# stack for the SysV call, and call entry(arg).
2:	xorl	%ebp, %ebp
	andq	$-16, %rsp
	movq	%r12, %rdi
	call	*%rbx

	# entry returned, which it must not: exit_group(127).
	movl	$127, %edi
	movl	$231, %eax
	syscall
	ud2
	.size	colaunch_linux_clone, .-colaunch_linux_clone
