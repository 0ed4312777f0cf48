// SPDX-License-Identifier: MIT
/*
 * The probe run inside the runc container (tests/compat/runc.sh), linked statically: it makes
 * calls that Docker's default profile allows and denies, argument-checked ones among them
 * (clone namespace flags, socket families, personality), and prints what the kernel answered,
 * one `call: ok` or `call: errno N` a line, so that the container's output under the system's
 * libseccomp and under the compat library can be compared.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *what, long rc)
{
	if (rc >= 0)
		printf("%s: ok\n", what);
	else
		printf("%s: errno %d\n", what, errno);
}

static long do_clone(unsigned long flags)
{
	long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return pid;
}

static long sock(int family)
{
	int fd = socket(family, SOCK_DGRAM, 0);
	if (fd >= 0)
		close(fd);
	/* an allowed family the kernel lacks is the kernel's answer, not the filter's */
	return fd >= 0 || errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT ||
			       errno == ESOCKTNOSUPPORT
		       ? 0
		       : -1;
}

int main(void)
{
	show("getpid", syscall(SYS_getpid));
	show("clone plain", do_clone(0));
	show("clone newuser", do_clone(CLONE_NEWUSER));
	show("clone newns", do_clone(CLONE_NEWNS));
	show("clone newnet", do_clone(CLONE_NEWNET));
	show("unshare newns", syscall(SYS_unshare, CLONE_NEWNS));
	show("socket unix", sock(AF_UNIX));
	show("socket inet", sock(AF_INET));
	show("socket 37", sock(37));
	show("socket 38", sock(38));
	show("socket 39", sock(39));
	show("socket vsock", sock(40));
	show("socket 41", sock(41));
	show("personality query", syscall(SYS_personality, 0xffffffffUL));
	show("personality linux", syscall(SYS_personality, PER_LINUX));
	show("personality linux32", syscall(SYS_personality, PER_LINUX32));
	show("personality 0x40000", syscall(SYS_personality, 0x40000UL));
	syscall(SYS_personality, PER_LINUX);
	show("keyctl", syscall(SYS_keyctl, 0, 0, 0, 0, 0));
	show("reboot", syscall(SYS_reboot, 0, 0, 0, 0));
	show("acct", syscall(SYS_acct, 0));
	show("ptrace traceme", syscall(SYS_ptrace, 0x4206 /* PTRACE_SEIZE */, 0, 0, 0));
	show("nr 1000", syscall(1000));
	fflush(stdout);
	return 0;
}
