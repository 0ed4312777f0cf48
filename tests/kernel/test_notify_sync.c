// SPDX-License-Identifier: MIT
/*
 * Synchronous wake-up (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, Linux 6.6), which sck_notify_new and
 * the supervisor set by default. Every scenario runs twice: with the default (skipped, with the
 * reason printed, on a kernel without the flag) and with the flag forced off
 * (SCK_NOTIFY_NO_SYNC_WAKE_UP, SCK_SUPERVISOR_NO_SYNC_WAKE_UP), which is the path older kernels
 * take; so every run of the tests covers the fallback. Both must answer every notification alike
 * (values, errnos, CONTINUE, add-fd, ID_VALID), and nothing may be lost or hang when a target is
 * killed mid-call, a supervisor stops mid-call, or many threads of one target notify at once.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"
#include "sck_test_notify.h"

enum { SYNC_DEFAULT = 0, SYNC_OFF = 1 };

static const int notified[] = {__NR_getppid};

static unsigned int notify_flags(void *mode)
{
	return (intptr_t)mode == SYNC_OFF ? SCK_NOTIFY_NO_SYNC_WAKE_UP : 0;
}

static unsigned int supervisor_flags(void *mode)
{
	return (intptr_t)mode == SYNC_OFF ? SCK_SUPERVISOR_NO_SYNC_WAKE_UP : 0;
}

/* In a throw-away child: can a listener take the flag? (Installs a filter, so not here.) */
static int probe_body(void *arg, int rep)
{
	static const struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sck_notify *n;
	int fd;

	(void)arg;
	(void)rep;
	fd = sck_set_mode_filter(allow, 1, SECCOMP_FILTER_FLAG_NEW_LISTENER);
	if (fd < 0 || sck_notify_new(fd, SCK_NOTIFY_NO_SYNC_WAKE_UP, &n) < 0)
		return 2;
	return sck_notify_set_flags(n, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0 ? 0 : 1;
}

static bool kernel_has_sync(void)
{
	struct sck_test_result r;

	cr_assert_eq(sck_test_run_child(probe_body, NULL, 10000, &r), 0);
	cr_assert(r.exited && r.exit_code != 2, "probe failed: exit %d signal %d", r.exit_code,
		  r.signal);
	return r.exit_code == 0;
}

static void run(sck_test_body fn, intptr_t mode)
{
	struct sck_test_result r;

	if (!sck_action_avail(SECCOMP_RET_USER_NOTIF))
		cr_skip("kernel without SECCOMP_RET_USER_NOTIF");
	if (mode == SYNC_DEFAULT && !kernel_has_sync())
		cr_skip("kernel without SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6): the "
			"default is "
			"the fallback, tested by the _forced_off twin");
	cr_assert_eq(sck_test_run_child(fn, (void *)mode, 30000, &r), 0);
	cr_assert(!r.timed_out, "timed out: %s", r.out);
	cr_assert(r.exited && r.exit_code == 0, "exit %d signal %d: %s", r.exit_code, r.signal,
		  r.out);
}

/* One Test per mode, so that a failure names the path that failed. */
#define BOTH(name, body)                                                                           \
	Test(notify_sync, name##_sync)                                                             \
	{                                                                                          \
		run(body, SYNC_DEFAULT);                                                           \
	}                                                                                          \
	Test(notify_sync, name##_forced_off)                                                       \
	{                                                                                          \
		run(body, SYNC_OFF);                                                               \
	}

/* Every kind of answer, through one handle. */

#define ROUNDS 300

static int t_answers(void *arg)
{
	long r;

	for (long i = 0; i < ROUNDS; i++)
		if (syscall(__NR_getppid) != 1000 + i)
			return 2;
	r = syscall(__NR_getppid);
	if (r != -1 || errno != EACCES)
		return 3;
	if (syscall(__NR_getppid) != (long)(intptr_t)arg) /* CONTINUE: the real parent */
		return 4;
	r = syscall(__NR_getppid); /* add-fd with SEND */
	if (r < 0 || write((int)r, "send", 4) != 4)
		return 5;
	r = syscall(__NR_getppid); /* add-fd, then the answer */
	if (r < 0 || write((int)r, "then", 4) != 4)
		return 6;
	return 0;
}

static int b_answers(void *mode, int rep)
{
	const struct seccomp_notif *req;
	struct sck_test_target t;
	struct sck_notify *n;
	char buf[16] = {0};
	size_t got = 0;
	int p[2], fd;

	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	CHECK_EQ(sck_test_notify_spawn(notified, 1, t_answers, (void *)(intptr_t)getpid(), &t), 0);
	CHECK_EQ(sck_notify_new(t.listener, notify_flags(mode), &n), 0);
	CHECK_EQ(sck_notify_sync_wake_up(n), (intptr_t)mode == SYNC_DEFAULT);
	for (long i = 0; i < ROUNDS; i++) {
		CHECK_EQ(sck_notify_recv(n, &req), 0);
		CHECK_EQ(req->pid, t.pid);
		CHECK_EQ(req->data.nr, __NR_getppid);
		CHECK_EQ(sck_notify_id_valid(n, req->id), 0);
		CHECK_EQ(sck_notify_respond(n, req->id, 1000 + i, 0, 0), 0);
		CHECK_EQ(sck_notify_id_valid(n, req->id), -ENOENT);
	}
	CHECK_EQ(sck_notify_recv(n, &req), 0);
	CHECK_EQ(sck_notify_respond(n, req->id, 0, EACCES, 0), 0);
	CHECK_EQ(sck_notify_recv(n, &req), 0);
	CHECK_EQ(sck_notify_continue(n, req->id), 0);
	CHECK_EQ(sck_notify_recv(n, &req), 0);
	CHECK(sck_notify_addfd(n, req->id, p[1], 0, 0, SECCOMP_ADDFD_FLAG_SEND) >= 0);
	CHECK_EQ(sck_notify_id_valid(n, req->id), -ENOENT);
	CHECK_EQ(sck_notify_recv(n, &req), 0);
	fd = sck_notify_addfd(n, req->id, p[1], 0, O_CLOEXEC, 0);
	CHECK(fd >= 0);
	CHECK_EQ(sck_notify_id_valid(n, req->id), 0);
	CHECK_EQ(sck_notify_respond(n, req->id, fd, 0, 0), 0);
	CHECK_EQ(sck_test_wait_exit(t.pid), 0);
	close(p[1]);
	while (got < 8) {
		ssize_t r = read(p[0], buf + got, sizeof(buf) - 1 - got);

		CHECK(r > 0);
		got += (size_t)r;
	}
	CHECK(strcmp(buf, "sendthen") == 0);
	close(p[0]);
	sck_notify_free(n);
	close(t.listener);
	return 0;
}

BOTH(every_answer_kind, b_answers)

/* Many threads of one target notifying at once, served by the supervisor loop. */

#define NTHREADS 8
#define PER_THREAD 200

static pthread_barrier_t start;

static void *th_calls(void *arg)
{
	long tid = syscall(__NR_gettid);

	(void)arg;
	pthread_barrier_wait(&start);
	/* The supervisor answers each call with the caller's thread id. */
	for (int i = 0; i < PER_THREAD; i++)
		if (syscall(__NR_getppid) != tid)
			return (void *)1;
	return NULL;
}

static int t_threads(void *arg)
{
	pthread_t th[NTHREADS];
	int bad = 0;

	(void)arg;
	if (pthread_barrier_init(&start, NULL, NTHREADS) != 0)
		return 2;
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_create(&th[i], NULL, th_calls, NULL) != 0)
			return 3;
	for (int i = 0; i < NTHREADS; i++) {
		void *r;

		if (pthread_join(th[i], &r) != 0 || r)
			bad++;
	}
	return bad ? 4 : 0;
}

struct tally {
	long calls;
	int mode;
	bool sync_wrong; /* a handle's sync state differed from what the mode asks */
};

static int h_tid(struct sck_notify *n, const struct seccomp_notif *req, void *arg)
{
	struct tally *t = arg;
	int rc;

	t->calls++;
	if (sck_notify_sync_wake_up(n) != (t->mode == SYNC_DEFAULT))
		t->sync_wrong = true;
	while ((rc = sck_notify_respond(n, req->id, req->pid, 0, 0)) == -EINTR)
		;
	return rc == -ENOENT ? 0 : rc;
}

static int b_threads(void *mode, int rep)
{
	struct tally tally = {0, (int)(intptr_t)mode, false};
	struct sck_supervisor *s;
	struct sck_test_target t;
	int st = -1;

	CHECK_EQ(sck_test_notify_spawn(notified, 1, t_threads, NULL, &t), 0);
	CHECK_EQ(sck_supervisor_new(supervisor_flags(mode), &s), 0);
	CHECK_EQ(sck_supervisor_add(s, t.listener, h_tid, &tally), 0);
	CHECK_EQ(sck_supervisor_add_child(s, t.pid, &st), 0);
	CHECK_EQ(sck_supervisor_run(s, 20000), 0);
	CHECK_EQ(tally.calls, NTHREADS * PER_THREAD);
	CHECK(!tally.sync_wrong);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	sck_supervisor_free(s);
	close(t.listener);
	return 0;
}

BOTH(many_threads_nothing_lost, b_threads)

/* A target killed in the middle of a call. */

static int t_spin(void *arg)
{
	(void)arg;
	for (;;)
		if (syscall(__NR_getppid) != 7)
			return 2;
}

struct killer {
	pid_t pid;
	long calls;
	int late; /* what answering the killed target's call gave */
};

static int h_kill_fifth(struct sck_notify *n, const struct seccomp_notif *req, void *arg)
{
	struct killer *k = arg;

	if (++k->calls == 5) {
		kill(k->pid, SIGKILL);
		/* The kill races the answer: 0 when the answer came first (the target dies
		 * anyway), -ENOENT when the kernel had already dropped the call. */
		k->late = sck_notify_respond(n, req->id, 7, 0, 0);
		return k->late == 0 || k->late == -ENOENT ? 0 : k->late;
	}
	return sck_notify_respond(n, req->id, 7, 0, 0);
}

static int b_killed_received(void *mode, int rep)
{
	struct sck_supervisor *s;
	struct sck_test_target t;
	struct killer k = {0, 0, 1};
	int st = -1;

	CHECK_EQ(sck_test_notify_spawn(notified, 1, t_spin, NULL, &t), 0);
	k.pid = t.pid;
	CHECK_EQ(sck_supervisor_new(supervisor_flags(mode), &s), 0);
	CHECK_EQ(sck_supervisor_add(s, t.listener, h_kill_fifth, &k), 0);
	CHECK_EQ(sck_supervisor_add_child(s, t.pid, &st), 0);
	CHECK_EQ(sck_supervisor_run(s, 20000), 0);
	CHECK_EQ(k.calls, 5);
	CHECK(k.late == 0 || k.late == -ENOENT);
	CHECK(WIFSIGNALED(st));
	CHECK_EQ(WTERMSIG(st), SIGKILL);
	CHECK_EQ(sck_supervisor_count(s), 0);
	sck_supervisor_free(s);
	close(t.listener);
	return 0;
}

BOTH(target_killed_after_receive, b_killed_received)

static int h_never(struct sck_notify *n, const struct seccomp_notif *req, void *arg)
{
	(void)n;
	(void)req;
	(void)arg;
	return -EPROTO;
}

static int b_killed_pending(void *mode, int rep)
{
	struct sck_supervisor *s;
	struct sck_test_target t;
	struct pollfd pfd;

	CHECK_EQ(sck_test_notify_spawn(notified, 1, t_spin, NULL, &t), 0);
	/* Its first call is queued, not received; then it dies and is reaped. */
	pfd = (struct pollfd){t.listener, POLLIN, 0};
	CHECK_EQ(poll(&pfd, 1, 10000), 1);
	CHECK_EQ(kill(t.pid, SIGKILL), 0);
	CHECK_EQ(sck_test_wait_exit(t.pid), -SIGKILL);
	CHECK_EQ(sck_supervisor_new(supervisor_flags(mode), &s), 0);
	CHECK_EQ(sck_supervisor_add(s, t.listener, h_never, NULL), 0);
	CHECK_EQ(sck_supervisor_run(s, 20000), 0);
	sck_supervisor_free(s);
	close(t.listener);
	return 0;
}

BOTH(target_killed_before_receive, b_killed_pending)

/* A supervisor stopped in the middle of a call. */

#define CALLS 40

static int t_count(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char c;

	/* Wait for the go (a pipe; -1: none), then make CALLS notified calls. */
	if (fd >= 0 && read(fd, &c, 1) != 1)
		return 3;
	for (int i = 0; i < CALLS; i++)
		if (syscall(__NR_getppid) != 7)
			return 2;
	return 0;
}

struct stopper {
	struct sck_supervisor *s;
	long calls, stop_at;
	bool answer_stopped;	 /* answer the call during which stop is asked */
	struct sck_notify *held; /* the call left unanswered */
	uint64_t held_id;
};

static int h_stop(struct sck_notify *n, const struct seccomp_notif *req, void *arg);

/*
 * A t_count target under a supervisor with h_stop and the target as its child. With @go, the
 * target waits for a byte on a pipe whose write end *@go receives; else it starts at once.
 */
static int setup(void *mode, struct stopper *p, struct sck_test_target *t, int *go, int *st,
		 int rep)
{
	int pipefd[2] = {-1, -1};

	if (go)
		CHECK_EQ(pipe2(pipefd, O_CLOEXEC), 0);
	CHECK_EQ(sck_test_notify_spawn(notified, 1, t_count, (void *)(intptr_t)pipefd[0], t), 0);
	if (go) {
		close(pipefd[0]);
		*go = pipefd[1];
	}
	CHECK_EQ(sck_supervisor_new(supervisor_flags(mode), &p->s), 0);
	CHECK_EQ(sck_supervisor_add(p->s, t->listener, h_stop, p), 0);
	CHECK_EQ(sck_supervisor_add_child(p->s, t->pid, st), 0);
	return 0;
}

/*
 * After a stop: let the target go (a byte on @go, when >= 0), serve it to the end, and check
 * that every call was answered and the child reaped with status 0; then release everything.
 */
static int resume_to_end(struct stopper *p, struct sck_test_target *t, int go, const int *st,
			 int rep)
{
	if (go >= 0)
		CHECK_EQ(write(go, "g", 1), 1);
	CHECK_EQ(sck_supervisor_run(p->s, 20000), 0);
	CHECK_EQ(p->calls, CALLS);
	CHECK(WIFEXITED(*st));
	CHECK_EQ(WEXITSTATUS(*st), 0);
	sck_supervisor_free(p->s);
	close(t->listener);
	if (go >= 0)
		close(go);
	return 0;
}

static int h_stop(struct sck_notify *n, const struct seccomp_notif *req, void *arg)
{
	struct stopper *p = arg;

	if (++p->calls == p->stop_at) {
		if (sck_supervisor_stop(p->s) < 0)
			return -EPROTO;
		if (!p->answer_stopped) {
			p->held = n;
			p->held_id = req->id;
			return 0;
		}
	}
	return sck_notify_respond(n, req->id, 7, 0, 0);
}

static int stopped_mid_call(void *mode, int rep, bool answer)
{
	struct stopper p = {NULL, 0, 3, answer, NULL, 0};
	struct sck_test_target t;
	int st = -1;

	CHECK_EQ(setup(mode, &p, &t, NULL, &st, rep), 0);
	CHECK_EQ(sck_supervisor_run(p.s, 20000), -ECANCELED);
	CHECK_EQ(p.calls, 3);
	if (!answer) {
		/* Not lost: still pending, and answerable after the loop returned. */
		CHECK(p.held != NULL);
		CHECK_EQ(sck_notify_id_valid(p.held, p.held_id), 0);
		CHECK_EQ(sck_notify_respond(p.held, p.held_id, 7, 0, 0), 0);
	}
	return resume_to_end(&p, &t, -1, &st, rep);
}

static int b_stop_answered(void *mode, int rep)
{
	return stopped_mid_call(mode, rep, true);
}

static int b_stop_unanswered(void *mode, int rep)
{
	return stopped_mid_call(mode, rep, false);
}

BOTH(stopped_in_handler_then_resumed, b_stop_answered)
BOTH(stopped_with_call_held_then_resumed, b_stop_unanswered)

static void *th_stop_later(void *arg)
{
	struct timespec ts = {0, 50 * 1000 * 1000};

	nanosleep(&ts, NULL);
	sck_supervisor_stop(arg);
	return NULL;
}

static int b_stop_other_thread(void *mode, int rep)
{
	struct stopper p = {NULL, 0, -1, true, NULL, 0};
	struct sck_test_target t;
	pthread_t th;
	int go = -1, st = -1;

	CHECK_EQ(setup(mode, &p, &t, &go, &st, rep), 0);
	/* The loop waits with nothing to serve; another thread stops it. */
	CHECK_EQ(pthread_create(&th, NULL, th_stop_later, p.s), 0);
	CHECK_EQ(sck_supervisor_run(p.s, 20000), -ECANCELED);
	CHECK_EQ(pthread_join(th, NULL), 0);
	CHECK_EQ(p.calls, 0);
	return resume_to_end(&p, &t, go, &st, rep);
}

BOTH(stopped_from_another_thread_while_idle, b_stop_other_thread)

static int t_until_enosys(void *arg)
{
	int answered = 0;

	(void)arg;
	for (;;) {
		long r = syscall(__NR_getppid);

		if (r == -1 && errno == ENOSYS)
			return answered;
		if (r != 7)
			return 99;
		answered++;
	}
}

static int b_stop_and_go(void *mode, int rep)
{
	struct stopper p = {NULL, 0, 4, false, NULL, 0};
	struct sck_test_target t;

	CHECK_EQ(sck_test_notify_spawn(notified, 1, t_until_enosys, NULL, &t), 0);
	CHECK_EQ(sck_supervisor_new(supervisor_flags(mode), &p.s), 0);
	CHECK_EQ(sck_supervisor_add(p.s, t.listener, h_stop, &p), 0);
	CHECK_EQ(sck_supervisor_run(p.s, 20000), -ECANCELED);
	/* The supervisor goes away with a call held: the target sees ENOSYS, not a hang. */
	sck_supervisor_free(p.s);
	close(t.listener);
	CHECK_EQ(sck_test_wait_exit(t.pid), 3);
	return 0;
}

BOTH(supervisor_gone_mid_call, b_stop_and_go)

/* A signal while the loop waits: -EINTR (nothing retried inside), and the next call goes on. */

static void on_alarm(int sig)
{
	(void)sig;
}

static int b_eintr(void *mode, int rep)
{
	struct stopper p = {NULL, 0, -1, true, NULL, 0};
	struct itimerval it = {{0, 30000}, {0, 30000}}, none = {{0, 0}, {0, 0}};
	struct sck_test_target t;
	struct sigaction sa;
	int go = -1, st = -1;

	CHECK_EQ(setup(mode, &p, &t, &go, &st, rep), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART */
	CHECK_EQ(sigaction(SIGALRM, &sa, NULL), 0);
	/* Every 30 ms until the loop has come back, however late it starts waiting. */
	CHECK_EQ(setitimer(ITIMER_REAL, &it, NULL), 0);
	CHECK_EQ(sck_supervisor_run(p.s, 20000), -EINTR);
	CHECK_EQ(setitimer(ITIMER_REAL, &none, NULL), 0);
	return resume_to_end(&p, &t, go, &st, rep);
}

BOTH(signal_while_waiting_eintr, b_eintr)

/* The flag's state as a handle reports it, and the fallbacks of sck_notify_new. */

static int b_state(void *arg, int rep)
{
	struct sck_notify *n, *off;
	struct sck_test_target t;
	int p[2], closed;

	(void)arg;
	CHECK_EQ(sck_test_notify_spawn(notified, 1, t_count, (void *)-1, &t), 0);
	CHECK(!sck_notify_sync_wake_up(NULL));
	CHECK_EQ(sck_notify_new(t.listener, 0, &n), 0);
	CHECK(sck_notify_sync_wake_up(n));
	CHECK_EQ(sck_notify_new(t.listener, SCK_NOTIFY_NO_SYNC_WAKE_UP, &off), 0);
	CHECK(!sck_notify_sync_wake_up(off));
	CHECK_EQ(sck_notify_new(t.listener, 0x80, &off), -EINVAL);
	CHECK_EQ(sck_notify_set_flags(n, 0), 0);
	CHECK(!sck_notify_sync_wake_up(n));
	CHECK_EQ(sck_notify_set_flags(n, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP), 0);
	CHECK(sck_notify_sync_wake_up(n));
	CHECK_EQ(sck_notify_set_flags(n, 0x80), -EINVAL);
	CHECK(sck_notify_sync_wake_up(n)); /* a refused change changes nothing */
	sck_notify_free(off);
	/* Not a listener: the kernel says ENOTTY, as one before 6.6 would; the handle works
	 * without the flag (and the first receive reports the wrong fd). */
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	CHECK_EQ(sck_notify_new(p[0], 0, &off), 0);
	CHECK(!sck_notify_sync_wake_up(off));
	sck_notify_free(off);
	/* A closed fd is an error, not a fallback. */
	closed = p[1];
	close(p[0]);
	close(p[1]);
	CHECK_EQ(sck_notify_new(closed, 0, &off), -EBADF);
	CHECK_EQ(sck_supervisor_new(0x80, NULL), -EINVAL);
	for (int i = 0; i < CALLS; i++) {
		const struct seccomp_notif *req;

		CHECK_EQ(sck_notify_recv(n, &req), 0);
		CHECK_EQ(sck_notify_respond(n, req->id, 7, 0, 0), 0);
	}
	CHECK_EQ(sck_test_wait_exit(t.pid), 0);
	sck_notify_free(n);
	close(t.listener);
	return 0;
}

Test(notify_sync, handle_state_and_fallbacks)
{
	run(b_state, SYNC_DEFAULT);
}

/* The pidfd syscalls come from sck's tables: the same numbers as libc's, where it has them. */
Test(notify_sync, pidfd_numbers_from_tables)
{
	const struct sck_arch *native = sck_arch_native();

	cr_assert(native);
	cr_assert_geq(sck_syscall_nr(native, "pidfd_open"), 0);
	cr_assert_geq(sck_syscall_nr(native, "pidfd_getfd"), 0);
#ifdef SYS_pidfd_open
	cr_assert_eq(sck_syscall_nr(native, "pidfd_open"), SYS_pidfd_open);
#endif
#ifdef SYS_pidfd_getfd
	cr_assert_eq(sck_syscall_nr(native, "pidfd_getfd"), SYS_pidfd_getfd);
#endif
}
