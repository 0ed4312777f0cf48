// SPDX-License-Identifier: MIT
/*
 * A program written against libseccomp's API and nothing else (<seccomp.h>, -lseccomp): it loads
 * filters in forked children and prints what the kernel answered (argument-checked socket and
 * personality rules, an errno rule, a trap, user notification through seccomp_notify_*). Run
 * unchanged with Debian's libseccomp and with build/compat/libseccomp.so.2
 * (LD_LIBRARY_PATH); tests/diff/test_diff_compat.c checks that both outputs are the expected one.
 */
#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *what, long rc)
{
	printf("%s: %ld %d\n", what, rc, rc < 0 ? errno : 0);
	fflush(stdout);
}

/* Filter 1: errno and argument rules, checked by the kernel. */
static int child_rules(void)
{
	scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);
	int rc;

	if (!c)
		return 1;
	rc = seccomp_rule_add(c, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
			      SCMP_A0(SCMP_CMP_EQ, AF_INET6));
	rc |= seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 1,
			       SCMP_A0(SCMP_CMP_NE, 0xffffffff));
	rc |= seccomp_rule_add(c, SCMP_ACT_ERRNO(42), SCMP_SYS(getppid), 0);
	rc |= seccomp_rule_add(c, SCMP_ACT_ERRNO(43), SCMP_SYS(kill), 2, SCMP_A0(SCMP_CMP_GT, 1),
			       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xff, 0));
	rc |= seccomp_rule_add(c, SCMP_ACT_TRAP, SCMP_SYS(uname), 0);
	printf("rules: %d\n", rc);
	printf("load: %d\n", seccomp_load(c));
	fflush(stdout);
	seccomp_release(c);
	report("socket inet6", socket(AF_INET6, SOCK_DGRAM, 0));
	report("socket unix", socket(AF_UNIX, SOCK_DGRAM, 0) >= 0 ? 0 : -1);
	report("personality query", personality(0xffffffff) >= 0 ? 0 : -1);
	report("personality set", personality(PER_LINUX32));
	report("getppid", syscall(SYS_getppid));
	report("kill self sig 0", kill(getpid(), 0));
	report("kill 1 sig 0", kill(1, 0) == 0 || errno == EPERM ? 0 : -1);
	fflush(stdout);
	syscall(SYS_uname, NULL); /* TRAP: SIGSYS */
	return 0;
}

/* Filter 2: user notification; this process supervises a child that inherits the filter. */
static int child_notify(void)
{
	scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;
	int fd, st, pfd[2];
	long got = 0;
	pid_t pid;

	if (!c || seccomp_api_get() < 5 || pipe(pfd) != 0) {
		printf("notify: skipped\n");
		return 0;
	}
	printf("notify rule: %d\n", seccomp_rule_add(c, SCMP_ACT_NOTIFY, SCMP_SYS(getppid), 0));
	printf("notify fd before load: %d\n", seccomp_notify_fd(c));
	printf("load: %d\n", seccomp_load(c));
	fd = seccomp_notify_fd(c);
	printf("notify fd: %s\n", fd >= 0 ? "yes" : "no");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		/* the target reports through a pipe: the parent prints it in a fixed place */
		long r = syscall(SYS_getppid);
		_exit(write(pfd[1], &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : 1);
	}
	close(pfd[1]);
	printf("alloc: %d\n", seccomp_notify_alloc(&req, &resp));
	printf("receive: %d\n", seccomp_notify_receive(fd, req));
	printf("request nr is getppid: %d\n", req->data.nr == SCMP_SYS(getppid));
	printf("id valid: %d\n", seccomp_notify_id_valid(fd, req->id));
	resp->id = req->id;
	resp->val = 4242;
	resp->error = 0;
	resp->flags = 0;
	printf("respond: %d\n", seccomp_notify_respond(fd, resp));
	fflush(stdout);
	waitpid(pid, &st, 0);
	if (read(pfd[0], &got, sizeof(got)) == (ssize_t)sizeof(got))
		printf("target getppid: %ld\n", got);
	close(pfd[0]);
	printf("id valid after: %d\n", seccomp_notify_id_valid(fd, req->id));
	seccomp_notify_free(req, resp);
	seccomp_release(c);
	fflush(stdout);
	return 0;
}

static void run(int (*fn)(void), const char *name)
{
	int st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(fn());
	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st))
		printf("%s: killed by %s\n", name, WTERMSIG(st) == SIGSYS ? "SIGSYS" : "other");
	else
		printf("%s: exit %d\n", name, WEXITSTATUS(st));
}

int main(void)
{
	const struct scmp_version *v = seccomp_version();

	printf("version: %u.%u\n", v->major, v->minor);
	run(child_rules, "rules");
	run(child_notify, "notify");
	return 0;
}
