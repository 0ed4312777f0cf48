// SPDX-License-Identifier: MIT
/*
 * Notification round trips per second: a target makes N notified getppid calls and a supervisor
 * answers each with a value, through (1) a bare ioctl loop (blocking in RECV), (2) the same with
 * a poll before each receive, (3) sck's API (sck_notify_recv + sck_notify_respond), (4)
 * libseccomp's (seccomp_notify_receive + seccomp_notify_respond), and (5) sck's supervisor loop
 * (poll over the listener, its stop eventfd and the child's pidfd, then receive and handler).
 * Each runs with synchronous wake-up (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, Linux 6.6) on and off:
 * sck's default and SCK_*_NO_SYNC_WAKE_UP; the bare loops and libseccomp, which has no call for
 * it, get the flag from a raw ioctl. All of them alternate over several rounds in one run, so
 * that a change in the machine's load hits each alike; each line gives the minimum, median and
 * maximum over the rounds (how much of a difference is signal), and the median's ratio to
 * libseccomp as its users run it (without the flag) and with the same flag. Nothing is pinned:
 * each line says how often the target and the server migrated and whether they ended a round on
 * one CPU, and the header gives the load average, because without the flag the rate depends on
 * whether the wakee finds an idle CPU (slow to wake in a VM) or a busy one. Per-round ratios
 * include the ceiling (the bare loop with the flag against libseccomp: what no library on this
 * kernel can beat) and sck's own cost (sck_notify against the bare loop, the supervisor against
 * the bare poll loop).
 * Usage: bench_notify [N [ROUNDS]] (rounds without the flag make N / 4 calls: they are slow).
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sck.h"
#include "bench_stats.h"

enum { BARE, BARE_POLL, SCK, LIBSECCOMP, LOOP, NMODES };
static const char *const mode_names[NMODES] = {"bare ioctl", "bare poll+ioctl", "sck_notify",
					       "libseccomp", "sck_supervisor"};
enum { OFF, ON, NFLAGS };
#define NSERIES (NMODES * NFLAGS)

/* Where a round ran, for the report (never pinned): migrations of the target and the server
 * during the round, and whether both ended on the same CPU. The target writes its half into
 * memory shared with this process. */
struct place {
	long target_mig, server_mig;
	int target_cpu, server_cpu;
};
static struct place *shared;

/* se.nr_migrations of the calling thread, or 0. */
static long migrations(void)
{
	char line[256];
	long v = 0;
	FILE *f = fopen("/proc/thread-self/sched", "r");

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "se.nr_migrations", 16) == 0 && strchr(line, ':'))
			v = atol(strchr(line, ':') + 1);
	if (f)
		fclose(f);
	return v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Fork a target making @n notified getppid calls; the listener comes back through a socket. */
static pid_t spawn(long n, int *listener)
{
	static const struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int fd;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (sck_no_new_privs() < 0)
			_exit(2);
		fd = sck_set_mode_filter(prog, 4, SECCOMP_FILTER_FLAG_NEW_LISTENER);
		if (fd < 0 || sck_notify_listener_send(sv[1], fd) < 0)
			_exit(3);
		close(fd);
		shared->target_mig = migrations();
		for (long i = 0; i < n; i++)
			if (syscall(__NR_getppid) != 42)
				_exit(4);
		shared->target_mig = migrations() - shared->target_mig;
		shared->target_cpu = sched_getcpu();
		_exit(0);
	}
	close(sv[1]);
	*listener = sck_notify_listener_recv(sv[0]);
	close(sv[0]);
	return pid;
}

/* The supervisor's handler; the time of the @arg-th answer (struct answered) is kept, so that
 * the supervisor's round ends where the other loops' do, at the last answer, not after the
 * target's exit and reaping. */
struct answered {
	long n, left;
	double last;
};

static int answer(struct sck_notify *n, const struct seccomp_notif *req, void *arg)
{
	struct answered *a = arg;
	int rc = sck_notify_respond(n, req->id, 42, 0, 0);

	if (--a->left == 0)
		a->last = now();
	return rc;
}

/* The bare loops: RECV and SEND with buffers of the kernel's sizes, optionally a poll first. */
static bool bare_loop(int fd, long n, bool use_poll)
{
	struct sck_notif_sizes sz;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	bool ok = true;

	sck_get_notif_sizes(&sz);
	req = calloc(1, sz.seccomp_notif > sizeof(*req) ? sz.seccomp_notif : sizeof(*req));
	resp = calloc(1, sz.seccomp_notif_resp > sizeof(*resp) ? sz.seccomp_notif_resp
							       : sizeof(*resp));
	for (long i = 0; i < n && ok; i++) {
		struct pollfd p = {fd, POLLIN, 0};

		if (use_poll && poll(&p, 1, -1) != 1) {
			ok = false;
			break;
		}
		memset(req, 0, sz.seccomp_notif);
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			ok = false;
			break;
		}
		memset(resp, 0, sz.seccomp_notif_resp);
		resp->id = req->id;
		resp->val = 42;
		ok = ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp) == 0;
	}
	free(req);
	free(resp);
	return ok;
}

static bool sck_loop(int fd, long n, bool on)
{
	struct sck_notify *nt;
	const struct seccomp_notif *req;
	bool ok = true;

	if (sck_notify_new(fd, on ? 0 : SCK_NOTIFY_NO_SYNC_WAKE_UP, &nt) < 0)
		return false;
	for (long i = 0; i < n; i++) {
		if (sck_notify_recv(nt, &req) < 0 ||
		    sck_notify_respond(nt, req->id, 42, 0, 0) < 0) {
			ok = false;
			break;
		}
	}
	sck_notify_free(nt);
	return ok;
}

static bool libseccomp_loop(int fd, long n)
{
	struct sck_notif_sizes sz;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	bool ok = true;

	sck_get_notif_sizes(&sz);
	if (seccomp_notify_alloc(&req, &resp) < 0)
		return false;
	for (long i = 0; i < n; i++) {
		/* libseccomp leaves zeroing the buffer (which the kernel demands) to the caller. */
		memset(req, 0, sz.seccomp_notif);
		if (seccomp_notify_receive(fd, req) < 0) {
			ok = false;
			break;
		}
		resp->id = req->id;
		resp->val = 42;
		resp->error = 0;
		resp->flags = 0;
		if (seccomp_notify_respond(fd, resp) < 0) {
			ok = false;
			break;
		}
	}
	seccomp_notify_free(req, resp);
	return ok;
}

/* One round of @mode with the flag @on or off: round trips per second; where it ran in @pl. */
static double one_round(int mode, bool on, long n, struct place *pl)
{
	int fd, st = -1;
	bool ok = true;
	double t0, t1 = 0;
	long mig;
	pid_t pid = spawn(n, &fd);

	if (pid < 0 || fd < 0) {
		fprintf(stderr, "bench_notify: cannot start the target\n");
		exit(1);
	}
	/* sck sets the flag itself; the others get it the raw way. */
	if (on && mode != SCK && mode != LOOP &&
	    ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
		  (unsigned long)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) < 0) {
		fprintf(stderr, "bench_notify: SECCOMP_IOCTL_NOTIF_SET_FLAGS: %s\n",
			strerror(errno));
		exit(1);
	}
	mig = migrations();
	t0 = now();
	if (mode == BARE || mode == BARE_POLL) {
		ok = bare_loop(fd, n, mode == BARE_POLL);
	} else if (mode == SCK) {
		ok = sck_loop(fd, n, on);
	} else if (mode == LIBSECCOMP) {
		ok = libseccomp_loop(fd, n);
	} else {
		struct answered ans = {n, n, 0};
		struct sck_supervisor *s;

		ok = sck_supervisor_new(on ? 0 : SCK_SUPERVISOR_NO_SYNC_WAKE_UP, &s) == 0 &&
		     sck_supervisor_add(s, fd, answer, &ans) == 0 &&
		     sck_supervisor_add_child(s, pid, &st) == 0 && sck_supervisor_run(s, -1) == 0;
		sck_supervisor_free(s);
		if (ok)
			pid = -1;
		t1 = ans.last;
	}
	if (mode != LOOP)
		t1 = now();
	pl->server_mig = migrations() - mig;
	pl->server_cpu = sched_getcpu();
	if (pid > 0) {
		/* A loop that stopped early leaves the target blocked: end it. */
		if (!ok)
			kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	close(fd);
	if (!ok || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench_notify: %s (flag %s): failed (target status 0x%x)\n",
			mode_names[mode], on ? "on" : "off", st);
		exit(1);
	}
	pl->target_mig = shared->target_mig;
	pl->target_cpu = shared->target_cpu;
	return (double)n / (t1 - t0);
}

/*
 * Print "NAME: MEDIAN (MIN .. MAX)" of the per-round ratios r[@a][i] / r[@b][i]: the two series
 * ran next to each other in each round, under about the same load, so their ratio is steadier
 * than the ratio of their medians.
 */
static void paired(const char *name, double r[][1000], int a, int b, int rounds, const char *goal)
{
	double v[1000];

	for (int i = 0; i < rounds; i++)
		v[i] = r[a][i] / r[b][i];
	qsort(v, (size_t)rounds, sizeof(double), cmp_double);
	printf("  %-56s %6.2fx (%.2f .. %.2f)%s\n", name, v[rounds / 2], v[0], v[rounds - 1], goal);
}

/* Whether a listener takes the flag: a throw-away child with its own listener says. */
static bool kernel_has_sync(void)
{
	int fd, st;
	pid_t pid = spawn(1, &fd);
	bool yes;

	if (pid < 0 || fd < 0)
		return false;
	yes = ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
		    (unsigned long)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0;
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(fd);
	return yes;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 4000;
	int rounds = argc > 2 ? atoi(argv[2]) : 15;
	static double r[NSERIES][1000];
	static struct place pl[NSERIES][1000];
	double min[NSERIES], med[NSERIES], max[NSERIES], load[2][3] = {{0}};
	struct place warm;
	int nflags;

	if (n < 4 || rounds <= 0 || rounds > 1000) {
		fprintf(stderr, "usage: bench_notify [N >= 4 [ROUNDS <= 1000]]\n");
		return 2;
	}
	if (!sck_action_avail(SECCOMP_RET_USER_NOTIF)) {
		printf("bench_notify: skipped, no SECCOMP_RET_USER_NOTIF\n");
		return 0;
	}
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		      0);
	if (shared == MAP_FAILED)
		return 1;
	getloadavg(load[0], 3);
	nflags = kernel_has_sync() ? NFLAGS : 1;
	one_round(BARE, false, n / 10 + 1, &warm); /* warm up */
	/* Series k is mode k % NMODES with flag k / NMODES; round i starts at series i. */
	for (int i = 0; i < rounds; i++)
		for (int j = 0; j < NMODES * nflags; j++) {
			int k = (i + j) % (NMODES * nflags);

			r[k][i] = one_round(k % NMODES, k / NMODES == ON,
					    k / NMODES == ON ? n : n / 4, &pl[k][i]);
		}
	getloadavg(load[1], 3);
	for (int k = 0; k < NMODES * nflags; k++) {
		double v[1000];

		memcpy(v, r[k], (size_t)rounds * sizeof(double));
		qsort(v, (size_t)rounds, sizeof(double), cmp_double);
		min[k] = v[0];
		med[k] = v[rounds / 2];
		max[k] = v[rounds - 1];
	}
	/* The machine's load moves these figures more than anything sck does: say what it was. */
	printf("notification round trips per second, %d interleaved rounds of %ld calls (%ld "
	       "without the flag); %ld CPUs, load average %.2f at the start, %.2f at the end:\n",
	       rounds, n, n / 4, sysconf(_SC_NPROCESSORS_ONLN), load[0][0], load[1][0]);
	printf("  %-16s %-4s %9s %9s %9s  %-15s %s\n", "loop", "sync", "min", "median", "max",
	       "vs libseccomp", "placement (not pinned)");
	for (int f = nflags - 1; f >= 0; f--)
		for (int m = 0; m < NMODES; m++) {
			int k = f * NMODES + m, same = 0;
			double mig[1000];

			for (int i = 0; i < rounds; i++) {
				mig[i] = (double)(pl[k][i].target_mig + pl[k][i].server_mig);
				same += pl[k][i].target_cpu == pl[k][i].server_cpu;
			}
			qsort(mig, (size_t)rounds, sizeof(double), cmp_double);
			printf("  %-16s %-4s %9.0f %9.0f %9.0f  %6.2fx %6.2fx  %4.0f migrations, "
			       "same "
			       "CPU %d/%d\n",
			       mode_names[m], f == ON ? "on" : "off", min[k], med[k], max[k],
			       med[k] / med[LIBSECCOMP], med[k] / med[f * NMODES + LIBSECCOMP],
			       mig[rounds / 2], same, rounds);
		}
	printf("  (vs libseccomp: the median's ratio to libseccomp without the flag, as its users "
	       "run it, and with the same flag; placement: median migrations of target and server "
	       "in a round, and the rounds both ended on one CPU)\n");
	if (nflags == NFLAGS) {
		printf("per-round ratios, median (min .. max):\n");
		paired("sck_notify (sync) / libseccomp", r, ON * NMODES + SCK, LIBSECCOMP, rounds,
		       " goal >= 5");
		paired("sck_supervisor (sync) / libseccomp", r, ON * NMODES + LOOP, LIBSECCOMP,
		       rounds, " goal >= 4");
		paired("bare ioctl (sync) / libseccomp: the kernel's ceiling", r,
		       ON * NMODES + BARE, LIBSECCOMP, rounds, "");
		paired("sck_notify / bare ioctl (sync): sck's own cost", r, ON * NMODES + SCK,
		       ON * NMODES + BARE, rounds, "");
		paired("sck_supervisor / bare poll+ioctl (sync): its own cost", r,
		       ON * NMODES + LOOP, ON * NMODES + BARE_POLL, rounds, "");
		paired("sck_notify sync on / off", r, ON * NMODES + SCK, SCK, rounds, "");
		paired("supervisor's poll loop / blocking receive (sync)", r, ON * NMODES + LOOP,
		       ON * NMODES + BARE, rounds, "");
		paired("bare poll+receive / blocking receive (sync)", r, ON * NMODES + BARE_POLL,
		       ON * NMODES + BARE, rounds, "");
	}
	if (nflags == 1)
		printf("no SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP on this kernel (Linux 6.6): sck runs "
		       "without it, as above\n");
	return 0;
}
