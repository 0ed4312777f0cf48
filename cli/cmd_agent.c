// SPDX-License-Identifier: MIT
/*
 * `sck agent [--socket PATH] [--policy FILE] [--log FILE] [--learn DIR]`: the OCI seccomp agent.
 * Runtimes (runc 1.1+, crun) connect to a profile's listenerPath once the filter is loaded and
 * send the listener fd with the container's state; the agent serves each container on a thread
 * of its own (agent_conn.c) by the policy, or learns per-container profiles. This file owns the
 * socket (made 0600 in a directory it creates; a stale socket replaced only when nothing answers
 * on it), the accept loop, and the stop: on SIGINT/SIGTERM it stops accepting, lets every
 * container answer what is pending and write what it learned, and exits 0. docs/agent.md.
 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static const char cmd[] = "agent";

/* mkdir -p of the socket's directory (0700 for what is created). */
static int make_dirs(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Bind and listen on @path; a socket file nobody listens on is replaced. Returns fd or -errno. */
static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	mode_t old;
	int fd, rc;

	if (!path || !*path)
		return -EINVAL;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	rc = make_dirs(path);
	if (rc < 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (lstat(path, &st) == 0) {
		int probe;

		if (!S_ISSOCK(st.st_mode)) {
			close(fd);
			return -EEXIST;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(probe);
			close(fd);
			return -EADDRINUSE; /* another agent is serving it */
		}
		if (probe >= 0)
			close(probe);
		unlink(path);
	}
	old = umask(0177); /* the socket is born 0600 */
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || chmod(path, 0600) < 0 || listen(fd, 128) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

static int start_conn(struct sck_agent *a, int sock, const pthread_attr_t *attr)
{
	struct sck_agent_conn *c = calloc(1, sizeof(*c));
	struct ucred cred;
	socklen_t len = sizeof(cred);
	pthread_t t;
	int rc;

	if (!c)
		return -ENOMEM;
	c->agent = a;
	c->sock = sock;
	c->listener = -1;
	c->peer_pid = getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 ? cred.pid : 0;
	pthread_mutex_lock(&a->lock);
	c->serial = ++a->conns;
	a->threads++;
	pthread_mutex_unlock(&a->lock);
	rc = pthread_create(&t, attr, sck_agent_conn_main, c);
	if (rc) {
		pthread_mutex_lock(&a->lock);
		a->threads--;
		pthread_mutex_unlock(&a->lock);
		free(c);
		return -rc;
	}
	return 0;
}

static const struct option longopts[] = {
	{"socket", required_argument, NULL, 's'}, {"policy", required_argument, NULL, 'p'},
	{"log", required_argument, NULL, 'l'},	  {"learn", required_argument, NULL, 'L'},
	{"help", no_argument, NULL, 'h'},	  {NULL, 0, NULL, 0},
};

int sck_cmd_agent(int argc, char **argv)
{
	const char *sock_path = "/run/sck/agent.sock", *policy = NULL, *log_path = NULL;
	struct sck_agent a;
	pthread_attr_t attr;
	sigset_t sigs, old;
	struct stat st;
	int lfd = -1, sfd = -1, opt, rc, ret = SCK_EXIT_NO;
	bool attr_ok = false;

	memset(&a, 0, sizeof(a));
	atomic_init(&a.stopping, false);
	a.log_fd = STDOUT_FILENO;
	a.stop_fd = -1;
	a.policy.def = SCK_AGENT_LOG;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "s:p:l:L:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			sock_path = optarg;
			break;
		case 'p':
			policy = optarg;
			break;
		case 'l':
			log_path = optarg;
			break;
		case 'L':
			a.learn_dir = optarg;
			break;
		case 'h':
			return sck_cli_help(cmd);
		default:
			return sck_cli_bad_option(cmd, "s:p:l:L:h", argv);
		}
	}
	if (optind < argc)
		return sck_cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
	if (policy && a.learn_dir)
		return sck_cli_usage(cmd, "--policy and --learn exclude each other (learning "
					  "continues every call)");
	if (a.learn_dir && (stat(a.learn_dir, &st) < 0 || !S_ISDIR(st.st_mode))) {
		sck_cli_err(cmd, "%s: %s", a.learn_dir,
			    errno ? strerror(errno) : "not a directory");
		return SCK_EXIT_USAGE;
	}
	if (policy && (rc = sck_agent_policy_load(policy, &a.policy)))
		return rc;
	pthread_mutex_init(&a.log_lock, NULL);
	pthread_mutex_init(&a.lock, NULL);
	pthread_cond_init(&a.idle, NULL);
	if (log_path && strcmp(log_path, "-") != 0) {
		a.log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (a.log_fd < 0) {
			sck_cli_err(cmd, "%s: %s", log_path, strerror(errno));
			ret = SCK_EXIT_USAGE;
			goto out;
		}
	}
	/* Signals arrive through a signalfd in this thread; every thread inherits the mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	a.stop_fd = eventfd(0, EFD_CLOEXEC);
	if (sfd < 0 || a.stop_fd < 0) {
		sck_cli_err(cmd, "%s", strerror(errno));
		goto out;
	}
	lfd = listen_on(sock_path);
	if (lfd < 0) {
		sck_cli_err(cmd, "%s: %s", sock_path,
			    lfd == -EADDRINUSE ? "another agent is listening on it"
			    : lfd == -EEXIST   ? "exists and is not a socket"
					       : strerror(-lfd));
		goto out;
	}
	/* Before any thread: the probe forks, and the handler is the process's. */
	{
		const char *force = getenv("SCK_AGENT_POLL");

		a.recv_blocks = !(force && *force && strcmp(force, "0") != 0) &&
				sck_agent_recv_probe() && sck_agent_recv_init() == 0;
	}
	attr_ok = pthread_attr_init(&attr) == 0;
	if (attr_ok) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 256 << 10);
	}
	{
		struct sck_cli_buf b = {NULL, 0, 0, false};

		sck_cli_buf_printf(&b, ",\"socket\":");
		sck_agent_json_str(&b, sock_path);
		sck_cli_buf_printf(&b, ",\"mode\":\"%s\",\"rules\":%zu,\"pid\":%d,\"wait\":\"%s\"",
				   a.learn_dir ? "learn"
				   : policy    ? "policy"
					       : "log",
				   a.policy.nrules, getpid(), a.recv_blocks ? "receive" : "poll");
		sck_agent_log_event(&a, NULL, "start", "%s", b.oom ? "" : b.p);
		free(b.p);
	}
	for (;;) {
		struct pollfd pfd[2] = {{lfd, POLLIN, 0}, {sfd, POLLIN, 0}};
		int s;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			sck_cli_err(cmd, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si))
				sck_agent_log_event(&a, NULL, "stop", ",\"signal\":%u",
						    si.ssi_signo);
			ret = SCK_EXIT_OK;
			break;
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (s < 0)
			continue; /* ECONNABORTED, EMFILE ...: the next one may do */
		rc = start_conn(&a, s, attr_ok ? &attr : NULL);
		if (rc < 0) {
			sck_agent_log_event(&a, NULL, "drop", ",\"reason\":\"%s\"", strerror(-rc));
			close(s);
		}
	}
	/* Stop accepting (runtimes now find no socket), then let the containers finish. */
	close(lfd);
	lfd = -1;
	unlink(sock_path);
	{
		uint64_t one = 1;

		atomic_store(&a.stopping, true);
		if (write(a.stop_fd, &one, sizeof(one)) != sizeof(one))
			ret = SCK_EXIT_NO;
	}
	sck_agent_recv_stop(&a);
	sck_agent_log_event(&a, NULL, "exit", ",\"connections\":%lu", a.conns);
out:
	if (attr_ok)
		pthread_attr_destroy(&attr);
	if (lfd >= 0)
		close(lfd);
	if (sfd >= 0)
		close(sfd);
	if (a.stop_fd >= 0)
		close(a.stop_fd);
	if (a.log_fd > STDERR_FILENO)
		close(a.log_fd);
	sck_agent_policy_fini(&a.policy);
	return ret;
}
