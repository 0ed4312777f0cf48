// SPDX-License-Identifier: MIT
/*
 * Notification round trips per second: a target makes N notified getppid calls, a supervisor
 * answers each with a value, through (1) a bare ioctl loop, (2) sck's API (sck_notify_recv +
 * sck_notify_respond), (3) libseccomp's (seccomp_notify_receive + seccomp_notify_respond), and
 * (4) sck's supervisor loop (poll + receive + handler). The modes alternate over several rounds
 * in one run; the median of each is reported with its ratio to the bare loop and to libseccomp.
 * Usage: bench_notify [N [ROUNDS]].
 */
#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sck.h"

enum { BARE, SCK, LIBSECCOMP, LOOP, NMODES };
static const char *const mode_names[NMODES] = {"bare ioctl", "sck_notify", "libseccomp",
					       "sck_supervisor"};

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
		for (long i = 0; i < n; i++)
			if (syscall(__NR_getppid) != 42)
				_exit(4);
		_exit(0);
	}
	close(sv[1]);
	*listener = sck_notify_listener_recv(sv[0]);
	close(sv[0]);
	return pid;
}

static int answer(struct sck_notify *n, const struct seccomp_notif *req, void *arg)
{
	(void)arg;
	return sck_notify_respond(n, req->id, 42, 0, 0);
}

static double one_round(int mode, long n)
{
	struct sck_notif_sizes sz;
	int fd, st = -1;
	bool ok = true;
	double t0, t1;
	pid_t pid = spawn(n, &fd);

	if (pid < 0 || fd < 0) {
		fprintf(stderr, "bench_notify: cannot start the target\n");
		exit(1);
	}
	t0 = now();
	if (mode == BARE) {
		struct seccomp_notif *req;
		struct seccomp_notif_resp *resp;

		sck_get_notif_sizes(&sz);
		req = calloc(1, sz.seccomp_notif > sizeof(*req) ? sz.seccomp_notif : sizeof(*req));
		resp = calloc(1, sz.seccomp_notif_resp > sizeof(*resp) ? sz.seccomp_notif_resp
								       : sizeof(*resp));
		for (long i = 0; i < n; i++) {
			memset(req, 0, sz.seccomp_notif);
			if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
				ok = false;
				break;
			}
			memset(resp, 0, sz.seccomp_notif_resp);
			resp->id = req->id;
			resp->val = 42;
			if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0) {
				ok = false;
				break;
			}
		}
		free(req);
		free(resp);
	} else if (mode == SCK) {
		struct sck_notify *nt;
		const struct seccomp_notif *req;

		sck_notify_new(fd, 0, &nt);
		for (long i = 0; i < n; i++) {
			if (sck_notify_recv(nt, &req) < 0 ||
			    sck_notify_respond(nt, req->id, 42, 0, 0) < 0) {
				ok = false;
				break;
			}
		}
		sck_notify_free(nt);
	} else if (mode == LIBSECCOMP) {
		struct seccomp_notif *req;
		struct seccomp_notif_resp *resp;

		sck_get_notif_sizes(&sz);
		seccomp_notify_alloc(&req, &resp);
		for (long i = 0; i < n; i++) {
			/* libseccomp leaves zeroing the buffer (which the kernel demands) to the
			 * caller. */
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
	} else {
		struct sck_supervisor *s;

		sck_supervisor_new(0, &s);
		sck_supervisor_add(s, fd, answer, NULL);
		sck_supervisor_add_child(s, pid, &st);
		sck_supervisor_run(s, -1);
		sck_supervisor_free(s);
		pid = -1;
	}
	t1 = now();
	if (pid > 0) {
		/* A loop that stopped early leaves the target blocked: end it. */
		if (!ok)
			kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	close(fd);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench_notify: %s: target failed (status 0x%x)\n", mode_names[mode],
			st);
		exit(1);
	}
	return (double)n / (t1 - t0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 5000;
	int rounds = argc > 2 ? atoi(argv[2]) : 31;
	double *r[NMODES], med[NMODES];

	if (n <= 0 || rounds <= 0 || rounds > 1000) {
		fprintf(stderr, "usage: bench_notify [N [ROUNDS]]\n");
		return 2;
	}
	if (!sck_action_avail(SECCOMP_RET_USER_NOTIF)) {
		printf("bench_notify: skipped, no SECCOMP_RET_USER_NOTIF\n");
		return 0;
	}
	for (int m = 0; m < NMODES; m++)
		r[m] = calloc((size_t)rounds, sizeof(double));
	one_round(BARE, n / 10 + 1); /* warm up */
	for (int i = 0; i < rounds; i++)
		for (int m = 0; m < NMODES; m++)
			r[m][i] = one_round((m + i) % NMODES, n);
	/* r[m][i] holds mode (m + i) % NMODES: regroup by mode. */
	for (int m = 0; m < NMODES; m++) {
		double v[1000];

		for (int i = 0; i < rounds; i++)
			for (int k = 0; k < NMODES; k++)
				if ((k + i) % NMODES == m)
					v[i] = r[k][i];
		qsort(v, (size_t)rounds, sizeof(double), cmp_double);
		med[m] = v[rounds / 2];
	}
	printf("notification round trips per second (median of %d rounds of %ld):\n", rounds, n);
	for (int m = 0; m < NMODES; m++)
		printf("  %-15s %10.0f /s  %5.3fx bare  %5.3fx libseccomp\n", mode_names[m], med[m],
		       med[m] / med[BARE], med[m] / med[LIBSECCOMP]);
	printf("sck_notify vs bare ioctl: %.3f (goal >= 0.95); vs libseccomp: %.3f (goal >= 1)\n",
	       med[SCK] / med[BARE], med[SCK] / med[LIBSECCOMP]);
	for (int m = 0; m < NMODES; m++)
		free(r[m]);
	return 0;
}
