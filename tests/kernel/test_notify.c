// SPDX-License-Identifier: MIT
/*
 * User notification against the kernel. Each test body runs in a child of the test runner (the
 * supervisor, through sck_test_run_child) which forks a grandchild (the target): the target
 * installs a hand-written filter that notifies a few syscalls, sends the listener over a socket
 * pair and runs its part; the supervisor answers and checks what the kernel did on both sides.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"
#include "sck_test_notify.h"

static const int notified[] = {__NR_getppid, __NR_chdir};

static void run(sck_test_body fn, void *arg)
{
	struct sck_test_result r;

	SCK_TEST_NEED_NOTIFY();
	cr_assert_eq(sck_test_run_child(fn, arg, 20000, &r), 0);
	cr_assert(!r.timed_out, "timed out: %s", r.out);
	cr_assert(r.exited && r.exit_code == 0, "exit %d signal %d: %s", r.exit_code, r.signal,
		  r.out);
}

/* Target bodies. */

static int t_expect_value(void *arg)
{
	long want = (long)(intptr_t)arg;

	return syscall(__NR_getppid) == want ? 0 : 1;
}

static int t_expect_errno(void *arg)
{
	long r = syscall(__NR_getppid);

	return r == -1 && errno == (int)(intptr_t)arg ? 0 : 1;
}

static int t_use_fd(void *arg)
{
	long fd = syscall(__NR_getppid);

	(void)arg;
	if (fd < 0)
		return 2;
	if (write((int)fd, "hello", 5) != 5)
		return 3;
	return 0;
}

static int t_use_fd77(void *arg)
{
	long fd = syscall(__NR_getppid);

	(void)arg;
	if (fd != 77)
		return 2;
	return write(77, "fd77", 4) == 4 ? 0 : 3;
}

static int t_two_enosys(void *arg)
{
	long a, b;
	int ea, eb;

	(void)arg;
	a = syscall(__NR_getppid);
	ea = errno;
	b = syscall(__NR_getppid);
	eb = errno;
	return a == -1 && ea == ENOSYS && b == -1 && eb == ENOSYS ? 0 : 1;
}

static int t_pause(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return 0;
}

/* Tests. */

static int b_value(void *arg, int rep)
{
	const struct seccomp_notif *req;
	struct sck_notify *n;
	struct sck_test_target t;

	(void)arg;
	CHECK_EQ(sck_test_notify_spawn(notified, 2, t_expect_value, (void *)4242, &t), 0);
	CHECK_EQ(sck_notify_new(t.listener, 0, &n), 0);
	CHECK_EQ(sck_notify_fd(n), t.listener);
	CHECK_EQ(sck_notify_recv(n, &req), 0);
	CHECK_EQ(req->pid, t.pid);
	CHECK_EQ(req->data.nr, __NR_getppid);
	CHECK_EQ(req->data.arch, sck_audit_arch("native"));
	CHECK_EQ(sck_notify_id_valid(n, req->id), 0);
	CHECK_EQ(sck_notify_respond(n, req->id, 4242, 0, 0), 0);
	CHECK_EQ(sck_test_wait_exit(t.pid), 0);
	sck_notify_free(n);
	close(t.listener);
	return 0;
}

Test(notify, respond_value)
{
	run(b_value, NULL);
}

static int b_errno(void *arg, int rep)
{
	struct seccomp_notif *req;
	struct sck_notify *n;
	struct sck_test_target t;

	(void)arg;
	CHECK_EQ(sck_test_notify_spawn(notified, 2, t_expect_errno, (void *)EACCES, &t), 0);
	CHECK_EQ(sck_notify_new(t.listener, 0, &n), 0);
	CHECK_EQ(sck_notify_alloc(&req, NULL), 0);
	CHECK_EQ(sck_notify_recv_into(n, req), 0);
	CHECK_EQ(sck_notify_respond(n, req->id, 0, EACCES, 0), 0);
	CHECK_EQ(sck_test_wait_exit(t.pid), 0);
	free(req);
	sck_notify_free(n);
	close(t.listener);
	return 0;
}

Test(notify, respond_errno)
{
	run(b_errno, NULL);
}

static int b_continue(void *arg, int rep)
{
	const struct seccomp_notif *req;
	struct sck_notify *n;
	struct sck_test_target t;

	(void)arg;
	CHECK_EQ(sck_test_notify_spawn(notified, 2, t_expect_value, (void *)(intptr_t)getpid(), &t),
		 0);
	CHECK_EQ(sck_notify_new(t.listener, 0, &n), 0);
	CHECK_EQ(sck_notify_recv(n, &req), 0);
	CHECK_EQ(sck_notify_continue(n, req->id), 0);
	CHECK_EQ(sck_test_wait_exit(t.pid), 0);
	sck_notify_free(n);
	close(t.listener);
	return 0;
}

Test(notify, respond_continue)
{
	run(b_continue, NULL);
}

static int b_stale(void *arg, int rep)
{
	const struct seccomp_notif *req;
	struct sck_notify *n;
	struct sck_test_target t;
	uint64_t id;
	int rc;

	(void)arg;
	CHECK_EQ(sck_test_notify_spawn(notified, 2, t_expect_value, (void *)7, &t), 0);
	CHECK_EQ(sck_notify_new(t.listener, 0, &n), 0);
	CHECK_EQ(sck_notify_recv(n, &req), 0);
	id = req->id;
	CHECK_EQ(sck_notify_respond(n, id + 12345, 7, 0, 0), -ENOENT);
	CHECK_EQ(sck_notify_id_valid(n, id + 12345), -ENOENT);
	CHECK_EQ(sck_notify_respond(n, id, 7, 0, 0), 0);
	CHECK_EQ(sck_notify_id_valid(n, id), -ENOENT);
	/* Answered but the target not yet resumed: EINPROGRESS; once it has: ENOENT. */
	rc = sck_notify_respond(n, id, 7, 0, 0);
	CHECK(rc == -ENOENT || rc == -EINPROGRESS);
	CHECK_EQ(sck_test_wait_exit(t.pid), 0);
	CHECK_EQ(sck_notify_respond(n, id, 7, 0, 0), -ENOENT);
	CHECK_EQ(sck_notify_continue(n, id), -ENOENT);
	CHECK_EQ(sck_notify_id_valid(n, id), -ENOENT);
	sck_notify_free(n);
	close(t.listener);
	return 0;
}

Test(notify, stale_id_enoent)
{
	run(b_stale, NULL);
}

static int b_einval(void *arg, int rep)
{
	const struct seccomp_notif *req;
	struct sck_notify *n;
	struct sck_test_target t;
	int p[2];

	(void)arg;
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	CHECK_EQ(sck_test_notify_spawn(notified, 2, t_expect_value, (void *)9, &t), 0);
	CHECK_EQ(sck_notify_new(t.listener, 0x80, &n), -EINVAL);
	CHECK_EQ(sck_notify_new(-1, 0, &n), -EINVAL);
	CHECK_EQ(sck_notify_new(t.listener, 0, NULL), -EINVAL);
	CHECK_EQ(sck_notify_new(t.listener, 0, &n), 0);
	CHECK_EQ(sck_notify_recv(n, NULL), -EINVAL);
	CHECK_EQ(sck_notify_recv(n, &req), 0);
	/* Unknown response flags, CONTINUE with a value, an errno out of range. */
	CHECK_EQ(sck_notify_respond(n, req->id, 0, 0, 0x80), -EINVAL);
	CHECK_EQ(sck_notify_respond(n, req->id, 1, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE), -EINVAL);
	CHECK_EQ(sck_notify_respond(n, req->id, 0, EPERM, SECCOMP_USER_NOTIF_FLAG_CONTINUE),
		 -EINVAL);
	CHECK_EQ(sck_notify_respond(n, req->id, 0, 5000, 0), -EINVAL);
	CHECK_EQ(sck_notify_respond(n, req->id, 0, -1, 0), -EINVAL);
	/* Unknown add-fd flags, a newfd without SETFD, bad newfd_flags. */
	CHECK_EQ(sck_notify_addfd(n, req->id, p[1], 0, 0, 0x80), -EINVAL);
	CHECK_EQ(sck_notify_addfd(n, req->id, p[1], 5, 0, 0), -EINVAL);
	CHECK_EQ(sck_notify_addfd(n, req->id, p[1], 0, O_NONBLOCK, 0), -EINVAL);
	CHECK_EQ(sck_notify_addfd(n, req->id, -1, 0, 0, 0), -EINVAL);
	CHECK_EQ(sck_notify_addfd(n, req->id, 999, 0, 0, 0), -EBADF);
	CHECK_EQ(sck_notify_respond(NULL, req->id, 0, 0, 0), -EINVAL);
	CHECK_EQ(sck_notify_id_valid(NULL, req->id), -EINVAL);
	/* None of those answered: the call is still pending. */
	CHECK_EQ(sck_notify_id_valid(n, req->id), 0);
	CHECK_EQ(sck_notify_respond(n, req->id, 9, 0, 0), 0);
	CHECK_EQ(sck_test_wait_exit(t.pid), 0);
	sck_notify_free(n);
	close(t.listener);
	return 0;
}

Test(notify, nonzero_flags_einval)
{
	run(b_einval, NULL);
}

static int b_addfd(void *arg, int rep)
{
	const struct seccomp_notif *req;
	struct sck_notify *n;
	struct sck_test_target t;
	char buf[16] = {0};
	int p[2], fd;

	(void)arg;
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	CHECK_EQ(sck_test_notify_spawn(notified, 2, t_use_fd, NULL, &t), 0);
	CHECK_EQ(sck_notify_new(t.listener, 0, &n), 0);
	CHECK_EQ(sck_notify_recv(n, &req), 0);
	fd = sck_notify_addfd(n, req->id, p[1], 0, O_CLOEXEC, 0);
	CHECK(fd >= 0);
	/* Not answered by ADDFD alone: the call waits for the response. */
	CHECK_EQ(sck_notify_id_valid(n, req->id), 0);
	CHECK_EQ(sck_notify_respond(n, req->id, fd, 0, 0), 0);
	close(p[1]);
	CHECK_EQ(sck_test_wait_exit(t.pid), 0);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	close(p[0]);
	sck_notify_free(n);
	close(t.listener);
	return 0;
}

Test(notify, addfd_then_respond)
{
	run(b_addfd, NULL);
}

static int b_addfd_send(void *arg, int rep)
{
	const struct seccomp_notif *req;
	struct sck_notify *n;
	struct sck_test_target t;
	char buf[16] = {0};
	int p[2];

	(void)arg;
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	/* SEND: the new fd is the call's result. */
	CHECK_EQ(sck_test_notify_spawn(notified, 2, t_use_fd, NULL, &t), 0);
	CHECK_EQ(sck_notify_new(t.listener, 0, &n), 0);
	CHECK_EQ(sck_notify_recv(n, &req), 0);
	CHECK(sck_notify_addfd(n, req->id, p[1], 0, 0, SECCOMP_ADDFD_FLAG_SEND) >= 0);
	CHECK_EQ(sck_notify_respond(n, req->id, 0, 0, 0), -ENOENT); /* already answered */
	CHECK_EQ(sck_test_wait_exit(t.pid), 0);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 5);
	sck_notify_free(n);
	close(t.listener);
	/* SETFD|SEND: at the number asked for. */
	CHECK_EQ(sck_test_notify_spawn(notified, 2, t_use_fd77, NULL, &t), 0);
	CHECK_EQ(sck_notify_new(t.listener, 0, &n), 0);
	CHECK_EQ(sck_notify_recv(n, &req), 0);
	CHECK_EQ(sck_notify_addfd(n, req->id, p[1], 77, 0,
				  SECCOMP_ADDFD_FLAG_SETFD | SECCOMP_ADDFD_FLAG_SEND),
		 77);
	CHECK_EQ(sck_test_wait_exit(t.pid), 0);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 4);
	CHECK(memcmp(buf, "fd77", 4) == 0);
	sck_notify_free(n);
	close(t.listener);
	close(p[0]);
	close(p[1]);
	return 0;
}

Test(notify, addfd_send_and_setfd)
{
	run(b_addfd_send, NULL);
}

static int b_killed(void *arg, int rep)
{
	const struct seccomp_notif *req;
	struct sck_notify *n;
	struct sck_test_target t;
	char buf[8];
	int p[2];

	(void)arg;
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	CHECK_EQ(sck_test_notify_spawn(notified, 2, t_expect_value, (void *)1, &t), 0);
	CHECK_EQ(sck_notify_new(t.listener, 0, &n), 0);
	CHECK_EQ(sck_notify_recv(n, &req), 0);
	CHECK_EQ(kill(t.pid, SIGKILL), 0);
	CHECK_EQ(sck_test_wait_exit(t.pid), -SIGKILL);
	CHECK_EQ(sck_notify_id_valid(n, req->id), -ENOENT);
	CHECK_EQ(sck_notify_mem_read(n, req, req->data.instruction_pointer, buf, sizeof(buf)),
		 -ENOENT);
	CHECK_EQ(sck_notify_addfd(n, req->id, p[1], 0, 0, 0), -ENOENT);
	CHECK_EQ(sck_notify_respond(n, req->id, 1, 0, 0), -ENOENT);
	sck_notify_free(n);
	close(t.listener);
	return 0;
}

Test(notify, target_killed_enoent)
{
	run(b_killed, NULL);
}

static int b_closed(void *arg, int rep)
{
	const struct seccomp_notif *req;
	struct sck_notify *n;
	struct sck_test_target t;

	(void)arg;
	CHECK_EQ(sck_test_notify_spawn(notified, 2, t_two_enosys, NULL, &t), 0);
	CHECK_EQ(sck_notify_new(t.listener, 0, &n), 0);
	/* One call pending when the supervisor goes, one made after. */
	CHECK_EQ(sck_notify_recv(n, &req), 0);
	sck_notify_free(n);
	close(t.listener);
	CHECK_EQ(sck_test_wait_exit(t.pid), 0);
	return 0;
}

Test(notify, closed_listener_enosys)
{
	run(b_closed, NULL);
}

static int b_ebusy(void *arg, int rep)
{
	int fd;

	(void)arg;
	fd = sck_test_notify_filter(notified, 2, SECCOMP_FILTER_FLAG_NEW_LISTENER);
	CHECK(fd >= 0);
	CHECK_EQ(sck_test_notify_filter(notified, 2, SECCOMP_FILTER_FLAG_NEW_LISTENER), -EBUSY);
	/* A filter without a listener still stacks. */
	CHECK_EQ(sck_test_notify_filter(notified, 2, 0), 0);
	return 0;
}

Test(notify, second_listener_ebusy)
{
	run(b_ebusy, NULL);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static int b_eintr(void *arg, int rep)
{
	struct sigaction sa;
	struct itimerval it = {{0, 20000}, {0, 20000}};
	const struct seccomp_notif *req = NULL;
	struct sck_notify *n;
	struct sck_test_target t;

	(void)arg;
	CHECK_EQ(sck_test_notify_spawn(notified, 2, t_pause, NULL, &t), 0);
	CHECK_EQ(sck_notify_new(t.listener, 0, &n), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART: the receive must come back */
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK_EQ(sck_notify_recv(n, &req), -EINTR);
	CHECK(req == NULL);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	kill(t.pid, SIGKILL);
	CHECK_EQ(sck_test_wait_exit(t.pid), -SIGKILL);
	sck_notify_free(n);
	close(t.listener);
	return 0;
}

Test(notify, recv_eintr)
{
	run(b_eintr, NULL);
}

#define LONGPATH "/nonexistent/sck-notify/a-path-long-enough-to-matter"

static int t_chdir(void *arg)
{
	(void)arg;
	if (syscall(__NR_chdir, LONGPATH) != -1 || errno != ENOTDIR)
		return 2;
	if (syscall(__NR_chdir, (char *)8) != -1 || errno != EFAULT)
		return 3;
	return 0;
}

static int b_memread(void *arg, int rep)
{
	const struct seccomp_notif *req;
	struct sck_notify *n;
	struct sck_test_target t;
	char buf[256];

	(void)arg;
	CHECK_EQ(sck_test_notify_spawn(notified, 2, t_chdir, NULL, &t), 0);
	CHECK_EQ(sck_notify_new(t.listener, 0, &n), 0);
	CHECK_EQ(sck_notify_recv(n, &req), 0);
	CHECK_EQ(req->data.nr, __NR_chdir);
	CHECK_EQ(sck_notify_mem_read_str(n, req, req->data.args[0], buf, sizeof(buf)),
		 strlen(LONGPATH));
	CHECK(strcmp(buf, LONGPATH) == 0);
	/* The bound: a prefix and -ERANGE. */
	CHECK_EQ(sck_notify_mem_read_str(n, req, req->data.args[0], buf, 5), -ERANGE);
	CHECK(strcmp(buf, "/non") == 0);
	CHECK_EQ(sck_notify_mem_read_str(n, req, req->data.args[0], buf, strlen(LONGPATH) + 1),
		 strlen(LONGPATH));
	CHECK_EQ(sck_notify_mem_read(n, req, req->data.args[0], buf, 4), 4);
	CHECK(memcmp(buf, "/non", 4) == 0);
	CHECK_EQ(sck_notify_mem_read(n, req, req->data.args[0], NULL, 4), -EINVAL);
	CHECK_EQ(sck_notify_mem_read_str(n, req, req->data.args[0], buf, 0), -EINVAL);
	CHECK_EQ(sck_notify_respond(n, req->id, 0, ENOTDIR, 0), 0);
	/* An unmapped pointer. */
	CHECK_EQ(sck_notify_recv(n, &req), 0);
	CHECK_EQ(sck_notify_mem_read_str(n, req, req->data.args[0], buf, sizeof(buf)), -EFAULT);
	CHECK_EQ(sck_notify_mem_read(n, req, req->data.args[0], buf, 8), -EFAULT);
	CHECK_EQ(sck_notify_respond(n, req->id, 0, EFAULT, 0), 0);
	CHECK_EQ(sck_test_wait_exit(t.pid), 0);
	sck_notify_free(n);
	close(t.listener);
	return 0;
}

Test(notify, mem_read_string)
{
	run(b_memread, NULL);
}

/* The supervisor loop with two targets. */

static int t_many(void *arg)
{
	long count = (long)(intptr_t)arg;

	for (long i = 0; i < count; i++)
		if (syscall(__NR_getppid) != i + 1000)
			return 2;
	return 0;
}

struct counts {
	long calls[2];
};

static int h_count(struct sck_notify *n, const struct seccomp_notif *req, void *arg)
{
	long *c = arg;
	int rc = sck_notify_respond(n, req->id, 1000 + (*c)++, 0, 0);

	return rc == -ENOENT ? 0 : rc;
}

static int b_loop(void *arg, int rep)
{
	struct sck_supervisor *s;
	struct sck_test_target t1, t2;
	struct counts c = {{0, 0}};
	int st1 = -1, st2 = -1;

	(void)arg;
	CHECK_EQ(sck_test_notify_spawn(notified, 2, t_many, (void *)50, &t1), 0);
	CHECK_EQ(sck_test_notify_spawn(notified, 2, t_many, (void *)70, &t2), 0);
	CHECK_EQ(sck_supervisor_new(0x80, &s), -EINVAL);
	CHECK_EQ(sck_supervisor_new(0, &s), 0);
	CHECK_EQ(sck_supervisor_add(s, t1.listener, NULL, NULL), -EINVAL);
	CHECK_EQ(sck_supervisor_add(s, t1.listener, h_count, &c.calls[0]), 0);
	CHECK_EQ(sck_supervisor_add(s, t2.listener, h_count, &c.calls[1]), 0);
	CHECK_EQ(sck_supervisor_count(s), 2);
	CHECK_EQ(sck_supervisor_add_child(s, t1.pid, &st1), 0);
	CHECK_EQ(sck_supervisor_add_child(s, t2.pid, &st2), 0);
	CHECK_EQ(sck_supervisor_run(s, 15000), 0);
	CHECK_EQ(sck_supervisor_count(s), 0);
	CHECK_EQ(c.calls[0], 50);
	CHECK_EQ(c.calls[1], 70);
	CHECK(WIFEXITED(st1) && WEXITSTATUS(st1) == 0);
	CHECK(WIFEXITED(st2) && WEXITSTATUS(st2) == 0);
	sck_supervisor_free(s);
	close(t1.listener);
	close(t2.listener);
	return 0;
}

Test(notify, supervisor_two_targets)
{
	run(b_loop, NULL);
}

static int b_stop(void *arg, int rep)
{
	struct sck_supervisor *s;
	struct sck_test_target t;
	long c = 0;

	(void)arg;
	CHECK_EQ(sck_test_notify_spawn(notified, 2, t_pause, NULL, &t), 0);
	CHECK_EQ(sck_supervisor_new(0, &s), 0);
	CHECK_EQ(sck_supervisor_add(s, t.listener, h_count, &c), 0);
	CHECK_EQ(sck_supervisor_stop(s), 0);
	CHECK_EQ(sck_supervisor_run(s, -1), -ECANCELED);
	CHECK_EQ(sck_supervisor_run(s, 30), -ETIMEDOUT);
	kill(t.pid, SIGKILL);
	CHECK_EQ(sck_test_wait_exit(t.pid), -SIGKILL);
	/* Reaped by us: the filter is released and the loop ends on POLLHUP. */
	CHECK_EQ(sck_supervisor_run(s, 15000), 0);
	CHECK_EQ(sck_supervisor_stop(NULL), -EINVAL);
	CHECK_EQ(sck_supervisor_run(NULL, 0), -EINVAL);
	sck_supervisor_free(s);
	sck_supervisor_free(NULL);
	close(t.listener);
	return 0;
}

Test(notify, supervisor_stop_timeout_hup)
{
	run(b_stop, NULL);
}

/* pidfd_getfd: the supervisor copies the listener out of the target. */

static int b_getfd(void *arg, int rep)
{
	const struct seccomp_notif *req;
	struct sck_notify *n;
	int p[2], num = -1, fd;
	pid_t pid;

	(void)arg;
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int lfd = sck_test_notify_filter(notified, 2, SECCOMP_FILTER_FLAG_NEW_LISTENER);

		if (lfd < 0 || write(p[1], &lfd, sizeof(lfd)) != sizeof(lfd))
			_exit(100);
		_exit(syscall(__NR_getppid) == 99 ? 0 : 1);
	}
	close(p[1]);
	CHECK_EQ(read(p[0], &num, sizeof(num)), sizeof(num));
	fd = sck_notify_listener_getfd(pid, num);
	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CHECK_EQ(sck_notify_listener_getfd(pid, 9999), -EBADF);
	CHECK_EQ(sck_notify_listener_getfd(0, 1), -EINVAL);
	CHECK_EQ(sck_notify_new(fd, 0, &n), 0);
	CHECK_EQ(sck_notify_recv(n, &req), 0);
	CHECK_EQ(sck_notify_respond(n, req->id, 99, 0, 0), 0);
	CHECK_EQ(sck_test_wait_exit(pid), 0);
	sck_notify_free(n);
	close(fd);
	close(p[0]);
	return 0;
}

Test(notify, handover_pidfd_getfd)
{
	run(b_getfd, NULL);
}

static int b_handover_errors(void *arg, int rep)
{
	int sv[2], p[2];

	(void)arg;
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(sck_notify_listener_send(-1, 0), -EINVAL);
	CHECK_EQ(sck_notify_listener_recv(-1), -EINVAL);
	/* Plain data without an fd. */
	CHECK_EQ(write(sv[1], "x", 1), 1);
	CHECK_EQ(sck_notify_listener_recv(sv[0]), -EBADMSG);
	/* An fd, received close-on-exec. */
	CHECK_EQ(sck_notify_listener_send(sv[1], p[0]), 0);
	{
		int fd = sck_notify_listener_recv(sv[0]);

		CHECK(fd >= 0);
		CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		close(fd);
	}
	/* The peer gone. */
	close(sv[1]);
	CHECK_EQ(sck_notify_listener_recv(sv[0]), -ENODATA);
	CHECK_EQ(sck_notify_listener_send(sv[0], p[0]), -EPIPE);
	return 0;
}

Test(notify, handover_socket_errors)
{
	run(b_handover_errors, NULL);
}

Test(notify, alloc_sizes)
{
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;
	struct sck_notif_sizes sz;

	SCK_TEST_NEED_NOTIFY();
	cr_assert_eq(sck_get_notif_sizes(&sz), 0);
	cr_assert_geq(sz.seccomp_notif, sizeof(struct seccomp_notif));
	cr_assert_eq(sck_notify_alloc(NULL, NULL), -EINVAL);
	cr_assert_eq(sck_notify_alloc(&req, &resp), 0);
	cr_assert(req && resp);
	free(req);
	free(resp);
	cr_assert_eq(sck_notify_fd(NULL), -EINVAL);
	sck_notify_free(NULL);
}

static int b_set_flags(void *arg, int rep)
{
	const struct seccomp_notif *req;
	struct sck_notify *n;
	struct sck_test_target t;
	int rc;

	(void)arg;
	CHECK_EQ(sck_test_notify_spawn(notified, 2, t_expect_value, (void *)5, &t), 0);
	CHECK_EQ(sck_notify_new(t.listener, 0, &n), 0);
	CHECK_EQ(sck_notify_set_flags(NULL, 0), -EINVAL);
	rc = sck_notify_set_flags(n, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
	if (rc == -ENOTTY) {
		sck_test_report(rep, "skip: SECCOMP_IOCTL_NOTIF_SET_FLAGS needs Linux 6.6\n");
	} else {
		CHECK_EQ(rc, 0);
		CHECK_EQ(sck_notify_set_flags(n, 0x80), -EINVAL);
	}
	/* Round trips work the same with synchronous wake-ups. */
	CHECK_EQ(sck_notify_recv(n, &req), 0);
	CHECK_EQ(sck_notify_respond(n, req->id, 5, 0, 0), 0);
	CHECK_EQ(sck_test_wait_exit(t.pid), 0);
	sck_notify_free(n);
	close(t.listener);
	return 0;
}

Test(notify, set_flags_sync_wake_up)
{
	run(b_set_flags, NULL);
}
