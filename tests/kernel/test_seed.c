// SPDX-License-Identifier: MIT
/*
 * Contract 1 against the running kernel. Every body runs in a forked child (sck_test_run_child):
 * a filter cannot be removed. Each test asserts what the kernel did: the errno a filtered call
 * returned, the signal that killed the child, the fd flags, what /proc says was installed.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"

#define TIMEOUT_MS 10000
/* A syscall number no arch of ours uses: calls to it are harmless (ENOSYS) when allowed. */
#define NR_PROBE 1000

/* The native audit arch, checked first as every real filter must. */
#define CHECK_ARCH(bad_ret)                                                                        \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),                   \
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),                      \
		BPF_STMT(BPF_RET | BPF_K, bad_ret)

/* nr == @nr -> @ret, else ALLOW. */
static struct sock_filter prog_one[] = {
	CHECK_ARCH(SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_PROBE, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1234),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
#define PROG_ONE_LEN (sizeof(prog_one) / sizeof(prog_one[0]))

static void set_ret(uint32_t ret)
{
	prog_one[5].k = ret;
}

static const struct sock_filter allow_all[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};

static void skip_unless_x86_64(void)
{
	if (sck_arch_native()->id != SCK_ARCH_X86_64)
		cr_skip_test("these hand-written filters check the x86_64 audit arch");
}

/* Exit code of a child: 0 pass, else a distinct failure code; details in the report. */
static int body_errno(void *arg, int fd)
{
	long rc;

	(void)arg;
	set_ret(SECCOMP_RET_ERRNO | 1234);
	rc = sck_set_mode_filter(prog_one, PROG_ONE_LEN, 0);
	if (rc != 0) {
		sck_test_report(fd, "install: %ld", rc);
		return 1;
	}
	errno = 0;
	rc = syscall(NR_PROBE, 1, 2, 3);
	sck_test_report(fd, "rc=%ld errno=%d", rc, errno);
	if (rc != -1 || errno != 1234)
		return 2;
	/* Other calls still work. */
	return getppid() > 0 ? 0 : 3;
}

Test(seed_kernel, filtered_call_returns_errno)
{
	struct sck_test_result r;

	skip_unless_x86_64();
	cr_assert_eq(sck_test_run_child(body_errno, NULL, TIMEOUT_MS, &r), 0);
	cr_assert(r.exited, "child died: signal %d (%s)", r.signal, r.out);
	cr_assert_eq(r.exit_code, 0, "%s", r.out);
}

static int body_kill(void *arg, int fd)
{
	(void)arg;
	(void)fd;
	set_ret(SECCOMP_RET_KILL_PROCESS);
	if (sck_set_mode_filter(prog_one, PROG_ONE_LEN, 0) != 0)
		return 1;
	syscall(NR_PROBE);
	return 2; /* not reached */
}

Test(seed_kernel, kill_process_is_sigsys)
{
	struct sck_test_result r;

	skip_unless_x86_64();
	cr_assert_eq(sck_test_run_child(body_kill, NULL, TIMEOUT_MS, &r), 0);
	cr_assert_not(r.exited, "child exited %d", r.exit_code);
	cr_assert_eq(r.signal, SIGSYS);
}

static int body_strict(void *arg, int fd)
{
	(void)arg;
	(void)fd;
	if (sck_set_mode_strict() != 0)
		return 1;
	/* Only read, write, _exit and sigreturn are allowed now. */
	syscall(SYS_getppid);
	syscall(SYS_exit, 3);
	return 4;
}

Test(seed_kernel, strict_mode_then_sigkill)
{
	struct sck_test_result r;

	cr_assert_eq(sck_test_run_child(body_strict, NULL, TIMEOUT_MS, &r), 0);
	cr_assert_not(r.exited, "child exited %d", r.exit_code);
	cr_assert_eq(r.signal, SIGKILL);
}

static int body_strict_write(void *arg, int fd)
{
	(void)arg;
	if (sck_set_mode_strict() != 0)
		return 1;
	if (write(fd, "ok", 2) != 2)
		return 2;
	syscall(SYS_exit, 0);
	return 3;
}

Test(seed_kernel, strict_mode_allows_write_and_exit)
{
	struct sck_test_result r;

	cr_assert_eq(sck_test_run_child(body_strict_write, NULL, TIMEOUT_MS, &r), 0);
	cr_assert(r.exited, "signal %d", r.signal);
	cr_assert_eq(r.exit_code, 0);
	cr_assert_str_eq(r.out, "ok");
}

static int body_listener(void *arg, int fd)
{
	int lfd, flags, rc;

	(void)arg;
	lfd = sck_set_mode_filter(allow_all, 1, SECCOMP_FILTER_FLAG_NEW_LISTENER);
	if (lfd <= 2) {
		sck_test_report(fd, "listener %d", lfd);
		return 1;
	}
	flags = fcntl(lfd, F_GETFD);
	if (!(flags & FD_CLOEXEC))
		return 2;
	/* A second listener in the same stack is refused. */
	rc = sck_set_mode_filter(allow_all, 1, SECCOMP_FILTER_FLAG_NEW_LISTENER);
	sck_test_report(fd, "second=%d", rc);
	return rc == -EBUSY ? 0 : 3;
}

Test(seed_kernel, new_listener_fd_is_cloexec_and_second_is_ebusy)
{
	struct sck_test_result r;

	cr_assert_eq(sck_test_run_child(body_listener, NULL, TIMEOUT_MS, &r), 0);
	cr_assert(r.exited && r.exit_code == 0, "exit %d signal %d: %s", r.exit_code, r.signal,
		  r.out);
}

struct tsync_state {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stage; /* 0 thread ready, 1 go, 2 done */
	long rc;
	int err;
	bool own_filter;
};

static void *tsync_thread(void *p)
{
	struct tsync_state *s = p;

	pthread_mutex_lock(&s->lock);
	if (s->own_filter) {
		/* A filter of this thread alone: its stack diverges from the leader's. */
		sck_set_mode_filter(allow_all, 1, 0);
	}
	s->stage = 1;
	pthread_cond_broadcast(&s->cond);
	while (s->stage != 2)
		pthread_cond_wait(&s->cond, &s->lock);
	errno = 0;
	s->rc = syscall(NR_PROBE);
	s->err = errno;
	s->stage = 3;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static int run_tsync(struct tsync_state *s, unsigned int flags, int fd)
{
	pthread_t t;
	int rc;

	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->stage = 0;
	if (pthread_create(&t, NULL, tsync_thread, s) != 0)
		return 10;
	pthread_mutex_lock(&s->lock);
	while (s->stage != 1)
		pthread_cond_wait(&s->cond, &s->lock);
	set_ret(SECCOMP_RET_ERRNO | 1234);
	rc = sck_set_mode_filter(prog_one, PROG_ONE_LEN, flags);
	s->stage = 2;
	pthread_cond_broadcast(&s->cond);
	while (s->stage != 3)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	pthread_join(t, NULL);
	sck_test_report(fd, "install=%d thread rc=%ld errno=%d", rc, s->rc, s->err);
	return rc;
}

static int body_tsync(void *arg, int fd)
{
	struct tsync_state s = {.own_filter = false};

	(void)arg;
	if (run_tsync(&s, SECCOMP_FILTER_FLAG_TSYNC, fd) != 0)
		return 1;
	/* The other thread got the filter too. */
	return (s.rc == -1 && s.err == 1234) ? 0 : 2;
}

Test(seed_kernel, tsync_reaches_other_thread)
{
	struct sck_test_result r;

	skip_unless_x86_64();
	cr_assert_eq(sck_test_run_child(body_tsync, NULL, TIMEOUT_MS, &r), 0);
	cr_assert(r.exited && r.exit_code == 0, "exit %d signal %d: %s", r.exit_code, r.signal,
		  r.out);
}

static int body_tsync_conflict(void *arg, int fd)
{
	struct tsync_state s = {.own_filter = true};
	unsigned int flags = *(unsigned int *)arg;
	int rc = run_tsync(&s, flags, fd);

	if (rc != -ESRCH)
		return 1;
	/* Nothing was installed: the leader has no filter of ours, the thread only its own. */
	errno = 0;
	if (syscall(NR_PROBE) != -1 || errno != ENOSYS)
		return 2;
	return 0;
}

Test(seed_kernel, tsync_conflict_is_esrch)
{
	unsigned int flag_sets[] = {SECCOMP_FILTER_FLAG_TSYNC,
				    SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH};
	struct sck_test_result r;

	skip_unless_x86_64();
	for (size_t i = 0; i < 2; i++) {
		cr_assert_eq(sck_test_run_child(body_tsync_conflict, &flag_sets[i], TIMEOUT_MS, &r),
			     0);
		cr_assert(r.exited && r.exit_code == 0, "flags %u: exit %d signal %d: %s",
			  flag_sets[i], r.exit_code, r.signal, r.out);
	}
}

static int body_eacces(void *arg, int fd)
{
	int rc;

	(void)arg;
	/* Without no_new_privs and without CAP_SYS_ADMIN (uid 65534 has no capabilities). */
	if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)
		return 10;
	rc = sck_set_mode_filter(allow_all, 1, 0);
	sck_test_report(fd, "rc=%d", rc);
	if (rc != -EACCES)
		return 1;
	/* With no_new_privs it works. */
	if (sck_no_new_privs() != 0 || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 2;
	return sck_set_mode_filter(allow_all, 1, 0) == 0 ? 0 : 3;
}

Test(seed_kernel, eacces_without_nnp_unprivileged)
{
	struct sck_test_result r;

	if (geteuid() != 0)
		cr_skip_test("needs root to switch to an unprivileged uid");
	cr_assert_eq(sck_test_run_child_ex(body_eacces, NULL, TIMEOUT_MS, SCK_TEST_NO_NNP, &r), 0);
	cr_assert_neq(r.exit_code, 10, "could not drop privileges");
	cr_assert(r.exited && r.exit_code == 0, "exit %d signal %d: %s", r.exit_code, r.signal,
		  r.out);
}

static int mode_of_self(void)
{
	unsigned int n = 99;
	int mode = sck_seccomp_mode(0, &n);

	return mode == 0 && n == 0 ? 0 : 1;
}

static int body_bad_input(void *arg, int fd)
{
	static struct sock_filter big[65537];
	static const struct sock_filter misaligned[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 3),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	static const struct sock_filter bad_opcode[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0), /* not allowed in seccomp */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	static const struct sock_filter no_ret[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	};
	static const struct sock_filter past_end[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct {
		const char *what;
		const struct sock_filter *p;
		size_t len;
		unsigned int flags;
		int want;
	} cases[] = {
		{"NULL", NULL, 1, 0, -EINVAL},
		{"empty", allow_all, 0, 0, -EINVAL},
		{"4097", big, 4097, 0, -EINVAL},
		{"65537", big, 65537, 0, -EINVAL},
		{"65536", big, 65536, 0, -EINVAL},
		{"unknown flag", allow_all, 1, 1u << 10, -EINVAL},
		{"high flag", allow_all, 1, 1u << 31, -EINVAL},
		{"misaligned load", misaligned, 2, 0, -EINVAL},
		{"load past seccomp_data", past_end, 2, 0, -EINVAL},
		{"LD|B|IND", bad_opcode, 2, 0, -EINVAL},
		{"no RET", no_ret, 1, 0, -EINVAL},
		{"TSYNC|NEW_LISTENER", allow_all, 1,
		 SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_NEW_LISTENER, -EINVAL},
		{"WAIT_KILLABLE_RECV alone", allow_all, 1, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
		 -EINVAL},
	};

	(void)arg;
	/* 65537 instructions: ALLOW everywhere, so a truncated length (65537 & 0xffff == 1)
	 * would load a valid program: sck must refuse it instead. */
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++)
		big[i] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = sck_set_mode_filter(cases[i].p, cases[i].len, cases[i].flags);

		if (rc != cases[i].want) {
			sck_test_report(fd, "%s: rc=%d want %d", cases[i].what, rc, cases[i].want);
			return 1;
		}
		if (mode_of_self() != 0) {
			sck_test_report(fd, "%s: something was loaded", cases[i].what);
			return 2;
		}
	}
	/* The boundary: exactly 4096 instructions load. */
	if (sck_set_mode_filter(big, 4096, 0) != 0)
		return 3;
	return 0;
}

Test(seed_kernel, bad_input_loads_nothing)
{
	struct sck_test_result r;

	cr_assert_eq(sck_test_run_child(body_bad_input, NULL, 30000, &r), 0);
	cr_assert(r.exited && r.exit_code == 0, "exit %d signal %d: %s", r.exit_code, r.signal,
		  r.out);
}

static int body_flags(void *arg, int fd)
{
	static const unsigned int ok[] = {
		SECCOMP_FILTER_FLAG_TSYNC,
		SECCOMP_FILTER_FLAG_LOG,
		SECCOMP_FILTER_FLAG_SPEC_ALLOW,
		SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
		SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
	};
	unsigned int n = 0;
	int rc;

	(void)arg;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		rc = sck_set_mode_filter(allow_all, 1, ok[i]);
		if (rc != 0) {
			sck_test_report(fd, "flags %u: %d", ok[i], rc);
			return 1;
		}
	}
	rc = sck_set_mode_filter(allow_all, 1,
				 SECCOMP_FILTER_FLAG_NEW_LISTENER |
					 SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
	if (rc < 3)
		return 2;
	if (sck_seccomp_mode(0, &n) != SECCOMP_MODE_FILTER || n != 6) {
		sck_test_report(fd, "filters %u", n);
		return 3;
	}
	return 0;
}

Test(seed_kernel, every_flag_installs)
{
	struct sck_test_result r;

	cr_assert_eq(sck_test_run_child(body_flags, NULL, TIMEOUT_MS, &r), 0);
	cr_assert(r.exited && r.exit_code == 0, "exit %d signal %d: %s", r.exit_code, r.signal,
		  r.out);
}

/* A filter built with sck_load_data_field: returns ERRNO(the loaded word & 0xfff). */
static int body_field(void *arg, int fd)
{
	const bool high = *(const bool *)arg;
	struct sock_filter prog[] = {
		CHECK_ARCH(SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_PROBE, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		{0, 0, 0, 0}, /* the field load */
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xfff),
		BPF_STMT(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	long rc;

	if (sck_load_data_field("Number", false, "native", &prog[3]) != 0 ||
	    sck_load_data_field("Arg2", high, "native", &prog[6]) != 0)
		return 1;
	if (sck_set_mode_filter(prog, sizeof(prog) / sizeof(prog[0]), 0) != 0)
		return 2;
	errno = 0;
	rc = syscall(NR_PROBE, 0, 0, 0x0000012300000456ULL);
	sck_test_report(fd, "rc=%ld errno=%d", rc, errno);
	return errno == (high ? 0x123 : 0x456) ? 0 : 3;
}

Test(seed_kernel, load_data_field_words_on_native)
{
	struct sck_test_result r;

	skip_unless_x86_64();
	for (int h = 0; h <= 1; h++) {
		bool high = h;

		cr_assert_eq(sck_test_run_child(body_field, &high, TIMEOUT_MS, &r), 0);
		cr_assert(r.exited && r.exit_code == 0, "high=%d: exit %d signal %d: %s", h,
			  r.exit_code, r.signal, r.out);
	}
}

static int body_nnp(void *arg, int fd)
{
	(void)arg;
	(void)fd;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0)
		return 1;
	if (sck_no_new_privs() != 0)
		return 2;
	return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 3;
}

Test(seed_kernel, no_new_privs_sets_the_bit)
{
	struct sck_test_result r;

	cr_assert_eq(sck_test_run_child_ex(body_nnp, NULL, TIMEOUT_MS, SCK_TEST_NO_NNP, &r), 0);
	cr_assert(r.exited && r.exit_code == 0, "exit %d", r.exit_code);
}

Test(seed_kernel, action_avail)
{
	static const uint32_t known[] = {SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD,
					 SECCOMP_RET_TRAP,	   SECCOMP_RET_ERRNO,
					 SECCOMP_RET_USER_NOTIF,   SECCOMP_RET_TRACE,
					 SECCOMP_RET_LOG,	   SECCOMP_RET_ALLOW};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		cr_expect(sck_action_avail(known[i]), "0x%08x", known[i]);
	/* Values the kernel does not define. */
	cr_expect_not(sck_action_avail(0x00010000));
	cr_expect_not(sck_action_avail(0x7ffe0000));
	cr_expect_not(sck_action_avail(0xffff0000));
}

Test(seed_kernel, filter_flag_avail_probes_without_installing)
{
	static const unsigned int flags[] = {
		SECCOMP_FILTER_FLAG_TSYNC,	 SECCOMP_FILTER_FLAG_LOG,
		SECCOMP_FILTER_FLAG_SPEC_ALLOW,	 SECCOMP_FILTER_FLAG_NEW_LISTENER,
		SECCOMP_FILTER_FLAG_TSYNC_ESRCH, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
	};
	unsigned int n = 1;

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		cr_expect(sck_filter_flag_avail(flags[i]), "flag %u", flags[i]);
	cr_expect_not(sck_filter_flag_avail(0));
	cr_expect_not(sck_filter_flag_avail(1u << 20));
	cr_expect_not(sck_filter_flag_avail(3));
	/* Safe in the test process itself: nothing was installed. */
	cr_expect_eq(sck_seccomp_mode(0, &n), 0);
	cr_expect_eq(n, 0);
}

Test(seed_kernel, notif_sizes)
{
	struct sck_notif_sizes s, canary = {1, 2, 3};
	struct seccomp_notif_sizes k;

	cr_assert_eq(sck_get_notif_sizes(&s), 0);
	cr_assert_eq(syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &k), 0);
	cr_expect_eq(s.seccomp_notif, k.seccomp_notif);
	cr_expect_eq(s.seccomp_notif_resp, k.seccomp_notif_resp);
	cr_expect_eq(s.seccomp_data, k.seccomp_data);
	cr_expect_eq(s.seccomp_data, 64);
	cr_expect_geq(s.seccomp_notif, 80);
	cr_expect_eq(sck_get_notif_sizes(NULL), -EINVAL);
	s = canary;
	(void)s;
}

Test(seed_kernel, seccomp_mode_of_processes)
{
	unsigned int n = 7;

	cr_expect_eq(sck_seccomp_mode(0, &n), SECCOMP_MODE_DISABLED);
	cr_expect_eq(n, 0);
	cr_expect_eq(sck_seccomp_mode(getpid(), NULL), SECCOMP_MODE_DISABLED);
	cr_expect_eq(sck_seccomp_mode(-1, NULL), -EINVAL);
	cr_expect_eq(sck_seccomp_mode(0x3ffffffe, NULL), -ENOENT);
}
