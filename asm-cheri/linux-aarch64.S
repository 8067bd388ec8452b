// Linux aarch64 spawn stubs: clone3(2) and clone(2) with the child on its
// own stack.  Assembled by rustc through global_asm! (src/arch/aarch64.rs).
//
// A function that returns twice cannot be written in Rust, so the split
// between parent and child happens here.  The child never returns from
// these functions: it runs `entry(arg)` on the stack the caller supplied,
// and `entry` must not return (if it does, the child exits with 127).
//
// colaunch_linux_clone3(args, size, entry, arg)
//	x0	struct clone_args *args	(stack and stack_size filled in)
//	x1	size_t size		(sizeof *args)
//	x2	void (*entry)(void *)	(never returns)
//	x3	void *arg
//	x0	return: child pid in the parent, or -errno
//
// colaunch_linux_clone(flags, stack_top, parent_tid, entry, arg)
//	x0	unsigned long flags	(CLONE_* | exit signal)
//	x1	void *stack_top		(highest address of the child stack)
//	x2	int *parent_tid		(pidfd slot with CLONE_PIDFD)
//	x3	void (*entry)(void *)	(never returns)
//	x4	void *arg
//	x0	return: child pid in the parent, or -errno
//
// `svc #0` takes the number in x8 and arguments in x0-x5, and changes
// only x0 (syscall(2)).  The child leaves the kernel with the parent's
// registers but x0 = 0 and sp = the new stack, so `entry` and `arg` are
// parked in the scratch registers x10 and x11.  The return address stays
// in x30 and the parent never touches its stack here, so the parent's
// path needs no saving at all.

	.text

	.globl	colaunch_linux_clone3
	.hidden	colaunch_linux_clone3
	.type	colaunch_linux_clone3, %function
	.p2align 2
colaunch_linux_clone3:
	.cfi_startproc
	// Park entry and arg where the trap leaves them alone.
	mov	x10, x2
	mov	x11, x3

	// Trap: clone3(args, size).  The kernel starts the child with
	// sp = args->stack + args->stack_size.
	mov	x8, #435
	svc	#0

	// Split: x0 is 0 only in the child.
	cbz	x0, 1f

	// Parent or error: return x0 unchanged.
	ret
	.cfi_endproc

	// Child: already on its own stack; share the tail with clone.
1:	b	2f
	.size	colaunch_linux_clone3, .-colaunch_linux_clone3

	.globl	colaunch_linux_clone
	.hidden	colaunch_linux_clone
	.type	colaunch_linux_clone, %function
	.p2align 2
colaunch_linux_clone:
	.cfi_startproc
	// Park entry and arg where the trap leaves them alone.
	mov	x10, x3
	mov	x11, x4

	// Trap: clone(flags, stack_top, parent_tid, tls = 0, child_tid = 0).
	// aarch64 uses the CLONE_BACKWARDS order, tls before child_tid; both
	// are zero here, and parent_tid is the third argument either way.
	mov	x3, xzr
	mov	x4, xzr
	mov	x8, #220
	svc	#0

	// Split: x0 is 0 only in the child.
	cbz	x0, 2f

	// Parent or error: return x0 unchanged.
	ret
	.cfi_endproc

	// Child: sp is the new stack.  Nothing above it is a frame to return
	// to, so clear the frame pointer and link register for debuggers and
	// call entry(arg).  The stack top the caller gave is 16-byte aligned.
2:	mov	x29, xzr
	mov	x30, xzr
	mov	x0, x11
	blr	x10

	// entry returned, which it must not: exit_group(127).
	mov	x0, #127
	mov	x8, #94
	svc	#0
	brk	#0x1
	.size	colaunch_linux_clone, .-colaunch_linux_clone
