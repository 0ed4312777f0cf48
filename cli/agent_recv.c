// SPDX-License-Identifier: MIT
/*
 * How a connection thread of `sck agent` waits for its container's next notification. A thread
 * that blocks in SECCOMP_IOCTL_NOTIF_RECV makes a round trip cheaper than one that polls first
 * (one syscall and one wait-queue registration less), but it must still learn that the container
 * is gone and that the agent stops. Recent kernels end a blocked receive once the filter's last
 * user is gone (ENOENT; the listener then polls POLLHUP); older ones, 6.6's among them, leave it
 * blocked, so the agent probes this once at start and polls where the kernel does not. The stop
 * interrupts a blocked receive with SIGUSR1 (a handler that does nothing, without SA_RESTART),
 * sent only to threads that say they are in a receive, again and again until every thread has
 * ended: a signal that lands just before the ioctl is caught by the next one.
 */
#include "agent.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void nothing(int sig)
{
	(void)sig;
}

/*
 * A child installs a filter with a listener (notifying a call it never makes) and exits; once
 * it is reaped the filter has no user on any kernel. A receive on its listener then returns at
 * once where the kernel ends receives on hang-up; elsewhere SIGALRM ends it after 200 ms.
 */
bool sck_agent_recv_probe(void)
{
	static const struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct itimerval timer = {{0, 0}, {0, 200000}}, off = {{0, 0}, {0, 0}};
	struct sigaction sa, old;
	const struct seccomp_notif *req;
	struct sck_notify *n = NULL;
	int sv[2], fd, st, rc = -1;
	pid_t pid;

	if (!sck_action_avail(SECCOMP_RET_USER_NOTIF) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return false;
	pid = fork();
	if (pid == 0) {
		if (sck_no_new_privs() < 0)
			_exit(1);
		fd = sck_set_mode_filter(prog, 4, SECCOMP_FILTER_FLAG_NEW_LISTENER);
		_exit(fd < 0 || sck_notify_listener_send(sv[1], fd) < 0);
	}
	close(sv[1]);
	fd = pid > 0 ? sck_notify_listener_recv(sv[0]) : -1;
	close(sv[0]);
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (fd < 0 || sck_notify_new(fd, SCK_NOTIFY_NO_SYNC_WAKE_UP, &n) < 0) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = nothing;
	sigaction(SIGALRM, &sa, &old);
	setitimer(ITIMER_REAL, &timer, NULL);
	rc = sck_notify_recv(n, &req);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	sck_notify_free(n);
	close(fd);
	return rc == -ENOENT;
}

int sck_agent_recv_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = nothing; /* no SA_RESTART: the receive must return EINTR */
	return sigaction(SIGUSR1, &sa, NULL) < 0 ? -errno : 0;
}

void sck_agent_recv_stop(struct sck_agent *a)
{
	struct timespec ts;

	pthread_mutex_lock(&a->lock);
	while (a->threads > 0) {
		/* a thread on the list has not ended: it leaves the list under the lock */
		for (struct sck_agent_conn *c = a->live; c; c = c->next)
			if (atomic_load(&c->in_recv))
				pthread_kill(c->thread, SIGUSR1);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&a->idle, &a->lock, &ts);
	}
	pthread_mutex_unlock(&a->lock);
}
