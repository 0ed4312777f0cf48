// SPDX-License-Identifier: MIT
/*
 * Fixed cases behind the differences that libseccomp's own regression suite found between
 * build/compat/libseccomp.so.2 and libseccomp 2.5.4 (tools/lsc-regress.sh): seccomp_reset(NULL),
 * the syscall numbers -1 .. -99 (-1 only with SCMP_FLTATR_API_TSKIP), the order of the argument
 * checks, rules and priorities on -1 and their verdicts, parisc, and the process-wide
 * notification fd that a second notifying filter shares. Written against <seccomp.h> only
 * (-lseccomp), verdicts by sck's emulator on the exported program; run once with each library,
 * tests/diff/test_diff_compat_regress.c requires the same output.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sck.h"

/* The verdict of @c's exported program for (@arch, @nr), or 0xdead on an export failure. */
static uint32_t verdict(scmp_filter_ctx c, uint32_t arch, int nr)
{
	struct seccomp_data d = {.nr = nr, .arch = arch};
	struct sck_bpf_emu *emu = NULL;
	int fd = memfd_create("bpf", 0);
	uint32_t v = 0xdead;
	off_t len;
	void *p;

	if (fd < 0 || seccomp_export_bpf(c, fd) != 0 || (len = lseek(fd, 0, SEEK_END)) <= 0) {
		if (fd >= 0)
			close(fd);
		return v;
	}
	p = malloc((size_t)len);
	if (p && pread(fd, p, (size_t)len, 0) == len &&
	    sck_bpf_emu_new(p, (size_t)len / sizeof(struct sock_filter), &emu) == 0)
		v = sck_bpf_emu_run(emu, &d, NULL);
	sck_bpf_emu_free(emu);
	free(p);
	close(fd);
	return v;
}

/* Return codes for syscall numbers around the reserved range, with and without TSKIP. */
static void numbers(void)
{
	static const int nrs[] = {-1, -2, -10, -99, -100, -101, -201, -10001, 0, 1};
	struct scmp_arg_cmp a1 = SCMP_A1(SCMP_CMP_EQ, 2);

	for (int tskip = 0; tskip < 2; tskip++) {
		for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
			scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);
			int nr = nrs[i];
			if (!c)
				return;
			printf("tskip %d nr %d: attr %d", tskip, nr,
			       seccomp_attr_set(c, SCMP_FLTATR_API_TSKIP, (uint32_t)tskip));
			printf(" prio %d", seccomp_syscall_priority(c, nr, 7));
			printf(" add %d", seccomp_rule_add(c, SCMP_ACT_KILL, nr, 0));
			printf(" exact %d", seccomp_rule_add_exact(c, SCMP_ACT_ERRNO(1), nr, 0));
			printf(" cond %d", seccomp_rule_add_array(c, SCMP_ACT_TRAP, nr, 1, &a1));
			/* the default action with a NULL array: the array is checked first */
			printf(" null %d", seccomp_rule_add_array(c, SCMP_ACT_ALLOW, nr, 1, NULL));
			printf(" x86 %d", seccomp_arch_add(c, SCMP_ARCH_X86));
			printf(" prio2 %d\n", seccomp_syscall_priority(c, 42, 7));
			seccomp_release(c);
		}
	}
}

/* Rules on -1: accepted with TSKIP on every arch of the filter, and in the program. */
static void negative_one(void)
{
	static const uint32_t arches[] = {SCMP_ARCH_X86, SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64};
	scmp_filter_ctx c = seccomp_init(SCMP_ACT_KILL);

	if (!c)
		return;
	printf("-1: remove %d", seccomp_arch_remove(c, SCMP_ARCH_NATIVE));
	printf(" x86 %d x86_64 %d", seccomp_arch_add(c, SCMP_ARCH_X86),
	       seccomp_arch_add(c, SCMP_ARCH_X86_64));
	printf(" tskip %d", seccomp_attr_set(c, SCMP_FLTATR_API_TSKIP, 1));
	printf(" prio %d", seccomp_syscall_priority(c, -1, 100));
	printf(" allow %d", seccomp_rule_add(c, SCMP_ACT_ALLOW, -1, 0));
	printf(" again %d", seccomp_rule_add(c, SCMP_ACT_ALLOW, -1, 0));
	printf(" other %d", seccomp_rule_add(c, SCMP_ACT_ERRNO(3), -1, 0));
	printf(" read %d\n", seccomp_rule_add(c, SCMP_ACT_ERRNO(5), SCMP_SYS(read), 0));
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		printf("-1 on %#x: %#x, 0x40000001: %#x, 3: %#x, 0: %#x\n", arches[i],
		       verdict(c, arches[i], -1), verdict(c, arches[i], 0x40000001),
		       verdict(c, arches[i], 3), verdict(c, arches[i], 0));
	seccomp_release(c);
}

/* parisc and parisc64: names, numbers and a big-endian filter with them. */
static void parisc(void)
{
	static const char *const names[] = {"open",   "read",	    "socket",
					    "shmctl", "cacheflush", "chown32"};
	uint32_t p32 = seccomp_arch_resolve_name("parisc"),
		 p64 = seccomp_arch_resolve_name("parisc64");
	scmp_filter_ctx c;

	printf("parisc %#x parisc64 %#x\n", p32, p64);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_PARISC, names[i]);
		char *back = seccomp_syscall_resolve_num_arch(SCMP_ARCH_PARISC64, nr);
		printf("parisc %s: %d %s\n", names[i], nr, back ? back : "(null)");
		free(back);
	}
	c = seccomp_init(SCMP_ACT_KILL);
	if (!c)
		return;
	printf("parisc filter: remove %d", seccomp_arch_remove(c, SCMP_ARCH_NATIVE));
	printf(" s390x %d", seccomp_arch_add(c, SCMP_ARCH_S390X));
	printf(" parisc %d", seccomp_arch_add(c, SCMP_ARCH_PARISC));
	printf(" parisc64 %d", seccomp_arch_add(c, SCMP_ARCH_PARISC64));
	printf(" x86 %d", seccomp_arch_add(c, SCMP_ARCH_X86));
	printf(" read %d", seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(read), 0));
	printf(" close %d\n", seccomp_rule_add(c, SCMP_ACT_ERRNO(9), SCMP_SYS(close), 0));
	seccomp_release(c);
}

/* A second notifying filter shares the first one's fd; seccomp_reset(NULL) closes it. */
static int notify_child(void)
{
	scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);
	int fd, rc;

	if (!c)
		return 1;
	printf("notify: rule %d", seccomp_rule_add(c, SCMP_ACT_NOTIFY, SCMP_SYS(getppid), 0));
	printf(" load %d", seccomp_load(c));
	fd = seccomp_notify_fd(c);
	printf(" fd %s", fd >= 0 ? "yes" : "no");
	printf(" reset %d", seccomp_reset(c, SCMP_ACT_ALLOW));
	printf(" rule %d", seccomp_rule_add(c, SCMP_ACT_NOTIFY, SCMP_SYS(getuid), 0));
	printf(" load %d", seccomp_load(c));
	rc = seccomp_notify_fd(c);
	printf(" same fd %d", rc == fd);
	printf(" global reset %d", seccomp_reset(NULL, SCMP_ACT_ALLOW));
	printf(" fd after %d\n", seccomp_notify_fd(c));
	seccomp_release(c);
	fflush(stdout);
	return 0;
}

int main(void)
{
	int st;
	pid_t pid;

	printf("reset NULL: %d %d\n", seccomp_reset(NULL, SCMP_ACT_ALLOW),
	       seccomp_reset(NULL, 0x12345));
	numbers();
	negative_one();
	parisc();
	if (seccomp_api_get() >= 5) {
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			_exit(notify_child());
		waitpid(pid, &st, 0);
		printf("notify child: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	} else {
		printf("notify: skipped\n");
	}
	return 0;
}
