// SPDX-License-Identifier: MIT
/* Notification test helpers (see sck_test_notify.h). */
#include "sck_test_notify.h"

#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sck.h"

int sck_test_notify_filter(const int *nrs, size_t n, unsigned int flags)
{
	struct sock_filter prog[32];
	size_t k = 0;

	if (n > 16)
		return -EINVAL;
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4);
	prog[k++] = (struct sock_filter)BPF_JUMP(
		BPF_JMP | BPF_JEQ | BPF_K, sck_audit_arch("native"), 0, (unsigned char)(n + 1));
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0);
	for (size_t i = 0; i < n; i++)
		prog[k++] = (struct sock_filter)BPF_JUMP(
			BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nrs[i], (unsigned char)(n - i), 0);
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	return sck_set_mode_filter(prog, k, flags);
}

int sck_test_notify_spawn(const int *nrs, size_t n, int (*body)(void *), void *arg,
			  struct sck_test_target *t)
{
	int sv[2], fd;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		fd = -errno;
		close(sv[0]);
		close(sv[1]);
		return fd;
	}
	if (pid == 0) {
		close(sv[0]);
		fd = sck_test_notify_filter(nrs, n, SECCOMP_FILTER_FLAG_NEW_LISTENER);
		if (fd < 0)
			_exit(100);
		if (sck_notify_listener_send(sv[1], fd) < 0)
			_exit(101);
		close(fd);
		close(sv[1]);
		_exit(body(arg));
	}
	close(sv[1]);
	fd = sck_notify_listener_recv(sv[0]);
	close(sv[0]);
	if (fd < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return fd;
	}
	t->pid = pid;
	t->listener = fd;
	return 0;
}

int sck_test_wait_exit(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) < 0)
		return -1000;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}
