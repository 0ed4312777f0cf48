// SPDX-License-Identifier: MIT
/*
 * `sck agent`: bad connections (no fd, two fds, a non-seccomp fd, truncated or huge JSON, an
 * unknown fds name, a bad container id, a peer that disconnects at once or says nothing) each
 * logged and dropped while a good one is served; policies refused at start with their place; the
 * socket's rules (0600, a live agent's socket kept, a stale one replaced). Real containers (runc
 * and busybox: verdicts, 10 at once, learning then enforcing, no agent and an agent restarted)
 * run in tests/cli/agent_runc.sh, which skips when runc, busybox-static, jq or root are missing.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay ? strstr(hay, needle) : NULL; p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* Start `sck agent --socket SOCK --log LOG ARGS...`; wait for its socket. */
static pid_t start_agent(const char *sock, const char *log, const char *extra)
{
	struct stat st;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(SCK_TEST_BIN, "sck", "agent", "--socket", sock, "--log", log, extra,
		      (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && pid > 0; i++) {
		if (stat(sock, &st) == 0)
			return pid;
		usleep(20000);
	}
	return -1;
}

static int stop_agent(pid_t pid)
{
	int status = 0;

	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	return status;
}

/* Wait until @log holds @n occurrences of @needle (5 s at most). */
static char *wait_log(const char *log, const char *needle, int n)
{
	for (int i = 0; i < 250; i++) {
		char *s = sck_test_read_file(log);

		if (s && count(s, needle) >= n)
			return s;
		free(s);
		usleep(20000);
	}
	return sck_test_read_file(log);
}

static int connect_to(const char *sock)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One connection: @len bytes of @msg with @nfds fds in one sendmsg, then close. */
static int send_msg(const char *sock, const char *msg, size_t len, const int *fds, int nfds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} ctl;
	struct iovec iov = {(void *)msg, len};
	struct msghdr mh = {0};
	int fd = connect_to(sock), rc = 0;

	if (fd < 0)
		return -errno;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		ctl.h.cmsg_level = SOL_SOCKET;
		ctl.h.cmsg_type = SCM_RIGHTS;
		ctl.h.cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(&ctl.h), fds, (size_t)nfds * sizeof(int));
	}
	if (len && sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static const char good_fmt[] =
	"{\"ociVersion\":\"1.0.2\",\"fds\":[\"%s\"],\"pid\":%d,\"metadata\":\"%s\","
	"\"state\":{\"ociVersion\":\"1.0.2\",\"id\":\"%s\",\"status\":\"creating\",\"pid\":%d,"
	"\"bundle\":\"/nowhere\"}}";

struct bad_args {
	const char *sock;
};

/*
 * The body (a forked child, so that its own child's filter is never the runner's): every bad
 * message, then a real listener from a grandchild whose getppid the
 * agent must continue. Exit 0, or the step that failed.
 */
static int bad_body(void *arg, int report)
{
	const struct bad_args *a = arg;
	static const struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	char msg[1024], *huge;
	int sv[2], go[2], p[2], fds[2], listener, status;
	pid_t target;

	if (pipe(p) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || pipe(go) < 0)
		return 2;
	target = fork();
	if (target == 0) {
		char c;
		int fd;

		if (sck_no_new_privs() < 0)
			_exit(3);
		fd = sck_set_mode_filter(prog, 4, SECCOMP_FILTER_FLAG_NEW_LISTENER);
		if (fd < 0 || sck_notify_listener_send(sv[1], fd) < 0)
			_exit(4);
		close(fd);
		if (read(go[0], &c, 1) != 1)
			_exit(5);
		/* continued by the agent: the real parent */
		_exit(syscall(__NR_getppid) == getppid() ? 0 : 6);
	}
	listener = sck_notify_listener_recv(sv[0]);
	if (listener < 0)
		return 7;
	snprintf(msg, sizeof(msg), good_fmt, "seccompFd", getpid(), "m", "good", getpid());
	/* no fd */
	if (send_msg(a->sock, msg, strlen(msg), NULL, 0) < 0)
		return 10;
	/* two fds */
	fds[0] = listener;
	fds[1] = p[0];
	if (send_msg(a->sock, msg, strlen(msg), fds, 2) < 0)
		return 11;
	/* not a seccomp fd */
	if (send_msg(a->sock, msg, strlen(msg), &p[0], 1) < 0)
		return 12;
	/* truncated JSON */
	if (send_msg(a->sock, msg, strlen(msg) / 2, &listener, 1) < 0)
		return 13;
	/* huge JSON: the agent stops reading at its limit (the send may then fail) */
	huge = malloc(200000);
	if (!huge)
		return 14;
	memset(huge, ' ', 200000);
	huge[0] = '[';
	send_msg(a->sock, huge, 200000, &listener, 1);
	free(huge);
	/* unknown fds name */
	snprintf(msg, sizeof(msg), good_fmt, "otherFd", getpid(), "m", "good", getpid());
	if (send_msg(a->sock, msg, strlen(msg), &listener, 1) < 0)
		return 15;
	/* a container id that is not one */
	snprintf(msg, sizeof(msg), good_fmt, "seccompFd", getpid(), "m", "../etc", getpid());
	if (send_msg(a->sock, msg, strlen(msg), &listener, 1) < 0)
		return 16;
	/* a peer that disconnects at once */
	if (send_msg(a->sock, "", 0, NULL, 0) < 0)
		return 17;
	/* and the good one, served while the test's silent peer waits */
	snprintf(msg, sizeof(msg), good_fmt, "seccompFd", getpid(), "m", "good", getpid());
	if (send_msg(a->sock, msg, strlen(msg), &listener, 1) < 0)
		return 19;
	close(listener);
	if (write(go[1], "g", 1) != 1)
		return 20;
	if (waitpid(target, &status, 0) != target)
		return 21;
	sck_test_report(report, "target status 0x%x", status);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 22;
}

Test(cli_agent, bad_input_dropped_others_served, .timeout = 30)
{
	const char *dir = sck_test_tmpdir();
	char sock[256], log[256], *s;
	struct sck_test_result r;
	struct bad_args a;
	struct stat st;
	pid_t agent;
	int silent;

	SCK_TEST_NEED_NOTIFY();
	cr_assert(dir);
	snprintf(sock, sizeof(sock), "%s/sub/agent.sock", dir);
	snprintf(log, sizeof(log), "%s/log", dir);
	agent = start_agent(sock, log, NULL);
	cr_assert_gt(agent, 0, "the agent did not start");
	cr_assert_eq(stat(sock, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600, "socket mode %o", st.st_mode & 0777);
	/* a peer that connects first and says nothing (connection 1) */
	silent = connect_to(sock);
	cr_assert_geq(silent, 0);
	a.sock = sock;
	cr_assert_eq(sck_test_run_child(bad_body, &a, 20000, &r), 0);
	cr_expect(r.exited && r.exit_code == 0, "body: exit %d signal %d: %s", r.exit_code,
		  r.signal, r.out);
	s = wait_log(log, "\"event\":\"close\"", 1);
	cr_assert(s);
	/* served while the silent peer waited (it is dropped after 5 s of silence) */
	cr_expect(strstr(s, "\"event\":\"close\",\"conn\":10,\"container\":\"good\",\"reason\":"
			    "\"hangup\""),
		  "%s", s);
	{
		const char *d = strstr(s, "\"event\":\"drop\",\"conn\":1,");

		cr_expect(!d || strncmp(strstr(d, "\"reason\":"), "\"reason\":\"timed out", 19) ==
					  0,
			  "%s", s);
	}
	free(s);
	close(silent);
	s = wait_log(log, "\"event\":\"drop\"", 9);
	cr_assert(s);
	cr_expect_eq(count(s, "\"event\":\"drop\""), 9, "%s", s);
	cr_expect(strstr(s, "\"reason\":\"0 fds where one is expected\""), "%s", s);
	cr_expect(strstr(s, "\"reason\":\"2 fds where one is expected\""), "%s", s);
	cr_expect(strstr(s, "\"reason\":\"the fd is not a seccomp listener (pipe:"), "%s", s);
	cr_expect(strstr(s, "\"reason\":\"truncated JSON ("), "%s", s);
	cr_expect(strstr(s, "\"reason\":\"message above 65536 bytes\""), "%s", s);
	cr_expect(strstr(s, "\"reason\":\"fds[0]: unknown fd name \\\"otherFd\\\"\""), "%s", s);
	cr_expect(strstr(s, "\"reason\":\"state.id: \\\"../etc\\\" is not a container id\""), "%s",
		  s);
	cr_expect_eq(count(s, "\"reason\":\"peer closed without a message\""), 2, "%s", s);
	cr_expect(strstr(s, "\"event\":\"connect\",\"conn\":10,\"container\":\"good\""), "%s", s);
	cr_expect(strstr(s, "\"container\":\"good\",\"pid\":"), "%s", s);
	cr_expect(strstr(s, "\"syscall\":\"getppid\""), "%s", s);
	cr_expect(strstr(s, "\"response\":\"log\""), "%s", s);
	free(s);
	cr_expect_eq(stop_agent(agent), 0);
	s = sck_test_read_file(log);
	cr_expect(strstr(s, "\"event\":\"exit\""), "%s", s);
	free(s);
	cr_expect_neq(stat(sock, &st), 0, "socket left behind");
	unlink(log);
	snprintf(sock, sizeof(sock), "%s/sub", dir);
	rmdir(sock);
	rmdir(dir);
}

Test(cli_agent, socket_live_kept_stale_replaced, .timeout = 30)
{
	const char *dir = sck_test_tmpdir();
	char sock[256], log[256];
	struct sck_test_cmd r;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	pid_t agent;
	int fd;

	cr_assert(dir);
	snprintf(sock, sizeof(sock), "%s/agent.sock", dir);
	snprintf(log, sizeof(log), "%s/log", dir);
	agent = start_agent(sock, log, NULL);
	cr_assert_gt(agent, 0);
	{
		const char *argv[] = {"agent", "--socket", sock, "--log", "/dev/null", NULL};

		cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
		cr_expect_eq(r.status, 1, "%s", r.err);
		cr_expect(strstr(r.err, "another agent is listening on it"), "%s", r.err);
		sck_test_cmd_fini(&r);
	}
	cr_expect_eq(stop_agent(agent), 0);
	/* a stale socket: bound, nobody listening */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_lt(strlen(sock), sizeof(sa.sun_path));
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	agent = start_agent(sock, log, NULL);
	cr_assert_gt(agent, 0);
	for (int i = 0; i < 100 && (fd = connect_to(sock)) < 0; i++)
		usleep(20000);
	cr_expect_geq(fd, 0, "the stale socket was not replaced");
	if (fd >= 0)
		close(fd);
	cr_expect_eq(stop_agent(agent), 0);
	unlink(log);
	rmdir(dir);
}

/* `sck agent --policy` with @json: exit 2 and @want in the message. */
static void refused(const char *json, const char *want)
{
	const char *dir = sck_test_tmpdir();
	char path[256];
	struct sck_test_cmd r;
	FILE *f;

	cr_assert(dir);
	snprintf(path, sizeof(path), "%s/policy.json", dir);
	f = fopen(path, "w");
	cr_assert(f);
	fputs(json, f);
	fclose(f);
	{
		const char *argv[] = {"agent",	  "--socket", "/nonexistent/never/a.sock",
				      "--policy", path,	      NULL};

		cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
	}
	cr_expect_eq(r.status, 2, "%s", r.err);
	cr_expect(strstr(r.err, want), "want '%s' in: %s", want, r.err);
	cr_expect(strstr(r.err, path), "the file is not named: %s", r.err);
	sck_test_cmd_fini(&r);
	unlink(path);
	rmdir(dir);
}

Test(cli_agent, policy_refused)
{
	refused("{\"rules\": [{\"syscalls\": [\"mkdir\", \"mkdri\"], \"action\": \"log\"}]}",
		": rules[0].syscalls[1]: unknown syscall \"mkdri\"");
	refused("{\"rules\": [{\"syscalls\": [\"mkdir\"], \"action\": \"log\",\n"
		"  \"args\": [{\"index\": 1, \"value\": 1, \"op\": \"SCMP_CMP_SORTOF\"}]}]}",
		": rules[0].args[0].op: unknown operator \"SCMP_CMP_SORTOF\"");
	refused("{\"rules\": [{\"syscalls\": [\"mkdir\"], \"action\": \"errno\", "
		"\"errno\": \"EWHATEVER\"}]}",
		": rules[0].errno: unknown errno \"EWHATEVER\"");
	refused("{\"rules\": [{\"syscalls\": [\"mkdir\"], \"action\": \"errno\", "
		"\"errno\": 5000}]}",
		": rules[0].errno: unknown errno 5000");
	refused("{\"rules\": [{\"syscalls\": [\"mkdir\"], \"action\": \"allow\"}]}",
		": rules[0].action: unknown action \"allow\"");
	refused("{\"rules\": [{\"syscalls\": [\"mkdir\"], \"action\": \"emulate\"}]}",
		": rules[0]: emulate is for mknod and mknodat, not mkdir");
	refused("{\"rules\": [{\"syscalls\": [\"getpid\"], \"action\": \"log\", "
		"\"path\": {\"prefix\": \"/x\"}}]}",
		": rules[0].path: getpid has no path argument");
	refused("{\"rules\": [{\"syscalls\": [\"mkdir\"], \"action\": \"log\", \"sometimes\": 1}]}",
		": rules[0]: unknown key \"sometimes\"");
	refused("{\"rules\": [\n  {\"syscalls\": [\"mkdir\"],\n   \"action\" \"log\"}]}",
		"policy.json:3:13: ");
	refused("{\"rules\": [", "policy.json:1:12: unexpected end of the JSON text");
}

Test(cli_agent, docs_example_policy_loads, .timeout = 30)
{
	const char *dir = sck_test_tmpdir();
	char sock[256], log[256], pol[512], *s;
	pid_t agent;

	cr_assert(dir);
	snprintf(sock, sizeof(sock), "%s/agent.sock", dir);
	snprintf(log, sizeof(log), "%s/log", dir);
	snprintf(pol, sizeof(pol), "--policy=%s", sck_test_src("tests/data/agent-policy.json"));
	agent = start_agent(sock, log, pol);
	cr_assert_gt(agent, 0, "the agent did not start with the example policy");
	cr_expect_eq(stop_agent(agent), 0);
	s = sck_test_read_file(log);
	cr_expect(s && strstr(s, "\"mode\":\"policy\",\"rules\":7"), "%s", s);
	free(s);
	unlink(log);
	rmdir(dir);
}

Test(cli_agent, usage)
{
	struct sck_test_cmd r;
	const char *argv[] = {"agent", "--learn", "/nonexistent-dir", NULL};

	cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
	cr_expect_eq(r.status, 2, "%s", r.err);
	cr_expect(strstr(r.err, "sck: agent: /nonexistent-dir: "), "%s", r.err);
	sck_test_cmd_fini(&r);
	{
		const char *av[] = {"agent", "--learn", "/tmp", "--policy", "/dev/null", NULL};

		cr_assert_eq(sck_test_sck(&r, NULL, av), 0);
		cr_expect_eq(r.status, 2, "%s", r.err);
		sck_test_cmd_fini(&r);
	}
}

Test(cli_agent, learn_oci_rewrites_bundle)
{
	const char *dir = sck_test_tmpdir();
	char path[256], *p;
	struct sck_test_cmd r;
	FILE *f;

	cr_assert(dir);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	f = fopen(path, "w");
	cr_assert(f);
	fputs("{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"sh\"]},\n"
	      " \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
	      "   \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"]}}}\n",
	      f);
	fclose(f);
	{
		const char *argv[] = {"learn",	     "--oci",	   dir,	   "--socket",
				      "/run/x.sock", "--metadata", "meta", NULL};

		cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
		cr_expect_eq(r.status, 0, "%s", r.err);
		sck_test_cmd_fini(&r);
	}
	p = sck_test_read_file(path);
	cr_assert(p);
	cr_expect(strstr(p, "\"listenerPath\": \"/run/x.sock\""), "%s", p);
	cr_expect(strstr(p, "\"listenerMetadata\": \"meta\""), "%s", p);
	cr_expect(strstr(p, "\"SCMP_ARCH_X86\""), "%s", p);
	cr_expect(strstr(p, "\"SCMP_ACT_NOTIFY\""), "%s", p);
	cr_expect(strstr(p, "\"defaultAction\": \"SCMP_ACT_ALLOW\""), "%s", p);
	cr_expect(strstr(p, "\"args\": ["), "the rest of the file is kept: %s", p);
	free(p);
	f = fopen(path, "w");
	cr_assert(f);
	fputs("{\"ociVersion\": \"1.0.2\",\n \"linux\": [}\n", f);
	fclose(f);
	{
		const char *argv[] = {"learn", "--oci", dir, NULL};

		cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
		cr_expect_eq(r.status, 2, "%s", r.err);
		cr_expect(strstr(r.err, "config.json:2:"), "%s", r.err);
		sck_test_cmd_fini(&r);
	}
	unlink(path);
	{
		const char *argv[] = {"learn", "--oci", dir, NULL};

		cr_assert_eq(sck_test_sck(&r, NULL, argv), 0);
		cr_expect_eq(r.status, 2, "%s", r.err);
		cr_expect(strstr(r.err, "config.json: No such file"), "%s", r.err);
		sck_test_cmd_fini(&r);
	}
	rmdir(dir);
}

/* Run a section of agent_runc.sh (with @env, "VAR=value ..." or ""): 0 pass; 77 skip
 * (printed); else fail with its output. */
static void runc_section(const char *env, const char *section)
{
	char cmd[1024], out[16384];
	size_t len = 0;
	FILE *p;
	int status;

	snprintf(cmd, sizeof(cmd), "%s sh '%s' '%s' %s 2>&1", env,
		 sck_test_src("tests/cli/agent_runc.sh"), SCK_TEST_BIN, section);
	fflush(NULL);
	p = popen(cmd, "r");
	cr_assert(p);
	while (len < sizeof(out) - 1) {
		size_t n = fread(out + len, 1, sizeof(out) - 1 - len, p);

		if (n == 0)
			break;
		len += n;
	}
	out[len] = '\0';
	while (fread(cmd, 1, sizeof(cmd), p) > 0)
		;
	status = pclose(p);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		printf("SKIP: cli_agent/runc_%s: %s", section, out);
		cr_skip("%s", out);
	}
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", out);
}

Test(cli_agent, runc_verdicts, .timeout = 60)
{
	SCK_TEST_NEED_NOTIFY();
	runc_section("", "verdicts");
}

Test(cli_agent, runc_many, .timeout = 60)
{
	SCK_TEST_NEED_NOTIFY();
	runc_section("", "many");
}

Test(cli_agent, runc_learn, .timeout = 60)
{
	SCK_TEST_NEED_NOTIFY();
	runc_section("", "learn");
}

/* The stop ends a thread's blocked receive (agent_recv.c); the same with the poll fallback. */
Test(cli_agent, runc_stop, .timeout = 60)
{
	SCK_TEST_NEED_NOTIFY();
	runc_section("", "stop");
}

Test(cli_agent, runc_stop_poll, .timeout = 60)
{
	SCK_TEST_NEED_NOTIFY();
	runc_section("SCK_AGENT_POLL=1", "stop");
}

/* The poll fallback (kernels whose receive stays blocked on hang-up) serves many at once. */
Test(cli_agent, runc_many_poll, .timeout = 60)
{
	SCK_TEST_NEED_NOTIFY();
	runc_section("SCK_AGENT_POLL=1", "many");
}

/* No agent at the listenerPath (no socket; the stale one of a SIGKILLed agent): runc fails to
 * start the container, whose command never runs. An agent stopped or killed, then started again
 * on the same path, serves the containers that connect after; those connected to the dead one
 * get ENOSYS from their notified calls. */
Test(cli_agent, runc_restart, .timeout = 60)
{
	SCK_TEST_NEED_NOTIFY();
	runc_section("", "restart");
}
