// SPDX-License-Identifier: MIT
/*
 * Running a command under a notifying filter for `sck trace` and `sck learn` (see spawn.h).
 *
 * The hand-over: the forked child starts a second thread which installs the filter on itself
 * alone (no TSYNC) and calls execve at once, where it blocks in its first notification; the
 * child's first thread, which the filter does not cover, sends the listener over a socket pair.
 * sck answers the execve, which ends the first thread; the new image keeps the filter.
 */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int sck_cli_resolve(const char *cmd, char **path, int *err)
{
	const char *dirs = getenv("PATH");
	bool denied = false;
	struct stat st;

	if (strchr(cmd, '/')) {
		if (stat(cmd, &st) < 0) {
			*err = errno;
			return errno == ENOENT || errno == ENOTDIR ? 127 : 126;
		}
		if (S_ISDIR(st.st_mode) || access(cmd, X_OK) < 0) {
			*err = S_ISDIR(st.st_mode) ? EISDIR : EACCES;
			return 126;
		}
		*path = strdup(cmd);
		*err = ENOMEM;
		return *path ? 0 : 126;
	}
	if (!dirs)
		dirs = "/usr/local/bin:/usr/bin:/bin";
	while (*cmd) {
		const char *end = strchr(dirs, ':');
		size_t dl = end ? (size_t)(end - dirs) : strlen(dirs);
		char buf[PATH_MAX];

		if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)(dl ? dl : 1), dl ? dirs : ".",
			     cmd) < (int)sizeof(buf) &&
		    stat(buf, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (access(buf, X_OK) == 0) {
				*path = strdup(buf);
				*err = ENOMEM;
				return *path ? 0 : 126;
			}
			denied = true;
		}
		if (!end)
			break;
		dirs = end + 1;
	}
	*err = denied ? EACCES : ENOENT;
	return denied ? 126 : 127;
}

/* The child's two threads share this. */
struct launch {
	const struct sock_filter *prog;
	size_t len;
	unsigned int flags;
	const char *path;
	char **argv;
	int errfd;
	_Atomic int listener; /* INT_MIN until the filter is in; then the fd or -errno */
	atomic_bool sent;     /* the listener is on its way to sck */
};

static void *filtered_thread(void *arg)
{
	struct launch *ln = arg;
	int fd, e;

	fd = sck_set_mode_filter(ln->prog, ln->len, SECCOMP_FILTER_FLAG_NEW_LISTENER | ln->flags);
	atomic_store(&ln->listener, fd);
	if (fd < 0)
		return NULL;
	/* A filter that lets execve through would end the other thread before it has sent the
	 * listener: wait for it, without a syscall (the filter may route any to sck). */
	while (!atomic_load(&ln->sent))
		__asm__ __volatile__("" ::: "memory");
	execv(ln->path, ln->argv);
	/* Supervised from here on: sck holds the listener by now. */
	e = errno;
	(void)!write(ln->errfd, &e, sizeof(e));
	_exit(e == ENOENT || e == ENOTDIR ? SCK_EXIT_NOTFOUND : SCK_EXIT_NOEXEC);
}

static _Noreturn void child(int sock, struct launch *ln)
{
	pthread_t th;
	int fd, e;

	if (sck_no_new_privs() < 0 || pthread_create(&th, NULL, filtered_thread, ln) != 0)
		_exit(SCK_EXIT_FAILED);
	while ((fd = atomic_load(&ln->listener)) == INT_MIN) {
		struct timespec ts = {0, 100000};

		nanosleep(&ts, NULL);
	}
	if (fd < 0) {
		e = -fd;
		(void)!write(ln->errfd, &e, sizeof(e));
		_exit(SCK_EXIT_FAILED);
	}
	do
		e = sck_notify_listener_send(sock, fd);
	while (e == -EINTR);
	if (e < 0)
		_exit(SCK_EXIT_FAILED);
	atomic_store(&ln->sent, true);
	/* The other thread's execve ends this one. */
	for (;;)
		pause();
}

int sck_cli_spawn(const char *verb, const struct sock_filter *prog, size_t len, unsigned int flags,
		  char **cmd, struct sck_cli_spawn *sp)
{
	int sv[2] = {-1, -1}, ep[2] = {-1, -1}, err = 0, rc;
	char *path = NULL;
	pid_t pid;

	*sp = (struct sck_cli_spawn){-1, -1, -1, 0};
	rc = sck_cli_resolve(cmd[0], &path, &err);
	if (rc) {
		sck_cli_err(cmd[0], "%s", rc == 127 ? "command not found" : strerror(err));
		return rc;
	}
	rc = SCK_EXIT_FAILED;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe2(ep, O_CLOEXEC) < 0) {
		sck_cli_err(verb, "%s", strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		sck_cli_err(verb, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		struct launch ln = {prog, len, flags, path, cmd, ep[1], INT_MIN, false};

		close(sv[0]);
		close(ep[0]);
		child(sv[1], &ln);
	}
	close(sv[1]);
	close(ep[1]);
	sv[1] = ep[1] = -1;
	sp->pid = pid;
	sp->errfd = ep[0];
	ep[0] = -1;
	do
		sp->listener = sck_notify_listener_recv(sv[0]);
	while (sp->listener == -EINTR);
	if (sp->listener < 0) {
		int e = 0, st;

		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (read(sp->errfd, &e, sizeof(e)) == sizeof(e))
			sck_cli_err(verb, "cannot install the filter: %s", strerror(e));
		else
			sck_cli_err(verb, "no listener from the child: %s",
				    strerror(-sp->listener));
		sck_cli_spawn_fini(sp);
		goto out;
	}
	rc = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (sv[i] >= 0)
			close(sv[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	free(path);
	return rc;
}

static volatile sig_atomic_t child_pid;

static void forward(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

int sck_cli_spawn_supervise(const char *verb, struct sck_cli_spawn *sp,
			    int (*fn)(struct sck_notify *n, const struct seccomp_notif *req,
				      void *arg),
			    void *arg)
{
	struct sck_supervisor *sup = NULL;
	struct sigaction sa, old[4];
	const char *nosync = getenv("SCK_NO_SYNC_WAKE_UP");
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	child_pid = sp->pid;
	for (int i = 0; i < 4; i++)
		sigaction(forwarded[i], &sa, &old[i]);
	/* The library's default is synchronous wake-ups; the variable turns them off (to compare,
	 * or where they hurt: a target whose threads should spread over the CPUs). */
	rc = sck_supervisor_new(
		nosync && *nosync && strcmp(nosync, "0") != 0 ? SCK_SUPERVISOR_NO_SYNC_WAKE_UP : 0,
		&sup);
	if (rc == 0)
		while ((rc = sck_supervisor_add(sup, sp->listener, fn, arg)) == -EINTR)
			;
	if (rc == 0)
		rc = sck_supervisor_add_child(sup, sp->pid, &sp->status);
	while (rc == 0 || rc == -EINTR)
		if ((rc = sck_supervisor_run(sup, -1)) == 0)
			break;
	for (int i = 0; i < 4; i++)
		sigaction(forwarded[i], &old[i], NULL);
	child_pid = 0;
	sck_supervisor_free(sup);
	if (rc < 0) {
		sck_cli_err(verb, "supervisor: %s", strerror(-rc));
		kill(sp->pid, SIGKILL);
		while (waitpid(sp->pid, &sp->status, 0) < 0 && errno == EINTR)
			;
		return SCK_EXIT_FAILED;
	}
	return 0;
}

int sck_cli_spawn_status(const struct sck_cli_spawn *sp, const char *cmd)
{
	if (WIFEXITED(sp->status)) {
		int ret = WEXITSTATUS(sp->status), e;

		if ((ret == SCK_EXIT_NOEXEC || ret == SCK_EXIT_NOTFOUND) &&
		    read(sp->errfd, &e, sizeof(e)) == sizeof(e))
			sck_cli_err(cmd, "%s", strerror(e));
		return ret;
	}
	if (WIFSIGNALED(sp->status))
		return 128 + WTERMSIG(sp->status);
	return SCK_EXIT_FAILED;
}

int sck_cli_respond(struct sck_notify *n, uint64_t id, int64_t val, int error, unsigned int flags)
{
	int rc;

	do
		rc = sck_notify_respond(n, id, val, error, flags);
	while (rc == -EINTR);
	/* ENOENT: the target died or was interrupted, and the kernel sends the call again if it
	 * restarts; EINPROGRESS: already answered. Neither stops the loop. */
	return rc == -ENOENT || rc == -EINPROGRESS ? 0 : rc;
}

void sck_cli_spawn_fini(struct sck_cli_spawn *sp)
{
	if (sp->listener >= 0)
		close(sp->listener);
	if (sp->errfd >= 0)
		close(sp->errfd);
	sp->listener = sp->errfd = -1;
}

const struct sck_arch *sck_cli_notif_arch(const struct seccomp_notif *req)
{
	/* x32 shares x86_64's audit arch: the number's SCK_X32_SYSCALL_BIT tells them apart */
	return sck_arch_from_audit_nr(req->data.arch, (uint32_t)req->data.nr);
}
