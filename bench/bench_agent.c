// SPDX-License-Identifier: MIT
/*
 * Notifications served by `sck agent` from runc containers against sck_notify in one process.
 * The workload is the same in both: busybox `dd if=/dev/zero of=/dev/null bs=1 count=N`, whose
 * every read is notified and continued. In one process: a forked target installs the filter,
 * hands the listener over and execs dd, and this program serves it (receive + CONTINUE); the
 * rate is reads over the time from the first notification to the hangup. Through the agent: 1,
 * then 10 containers at once, their profile notifying read with listenerPath set; the rate is
 * the reads served (the agent's "close" events) over the span from the first "connect" to the
 * last "close" of the agent's log. Needs root, runc and busybox-static; skips otherwise.
 * Usage: bench_agent [N]. SCK (environment) names the sck binary (default: this build's).
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
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

#define MAXC 10

static char dir[64];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	return system(cmd);
}

/* Hand listener @l to the agent at @sock as a runtime would (one fd, the container state). */
static int to_agent(const char *sock, int l, int round)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct msghdr mh = {0};
	struct iovec iov;
	char msg[512];
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), rc;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	snprintf(msg, sizeof(msg),
		 "{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],\"pid\":%d,\"metadata\":\"\","
		 "\"state\":{\"ociVersion\":\"1.0.2\",\"id\":\"sck-bench-host-%d\",\"status\":"
		 "\"creating\",\"pid\":%d,\"bundle\":\"/\"}}",
		 getpid(), round, getpid());
	iov.iov_base = msg;
	iov.iov_len = strlen(msg);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	ctl.h.cmsg_level = SOL_SOCKET;
	ctl.h.cmsg_type = SCM_RIGHTS;
	ctl.h.cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(&ctl.h), &l, sizeof(int));
	rc = sendmsg(s, &mh, 0) < 0 ? -1 : 0;
	close(s);
	return rc;
}

/*
 * One round on the host (no container): reads per second, from the start signal to dd's exit,
 * served by sck_notify here (receive + CONTINUE), or by the agent at @sock when not NULL.
 */
static double in_process(long n, const char *sock, int round)
{
	static const struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_read, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct seccomp_notif *req = NULL;
	struct sck_notify *nt = NULL;
	char count[32];
	long served = 0;
	double t0 = 0, t1;
	int sv[2], go[2], fd, st;
	pid_t pid;
	char c;

	snprintf(count, sizeof(count), "count=%ld", n);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 || pipe(go) < 0)
		return 0;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 1);
		dup2(null, 2);
		if (sck_no_new_privs() < 0)
			_exit(2);
		fd = sck_set_mode_filter(prog, 4, SECCOMP_FILTER_FLAG_NEW_LISTENER);
		if (fd < 0 || sck_notify_listener_send(sv[1], fd) < 0)
			_exit(3);
		close(fd);
		if (read(go[0], &c, 1) != 1)
			_exit(4);
		execl("/bin/busybox", "dd", "if=/dev/zero", "of=/dev/null", "bs=1", count,
		      (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	close(go[0]);
	fd = sck_notify_listener_recv(sv[0]);
	close(sv[0]);
	if (sock) {
		if (fd < 0 || to_agent(sock, fd, round) < 0)
			return 0;
		close(fd);
		t0 = now();
		if (write(go[1], "g", 1) != 1)
			return 0;
		close(go[1]);
		waitpid(pid, &st, 0);
		return (double)n / (now() - t0);
	}
	if (fd < 0 || sck_notify_new(fd, 0, &nt) < 0 || sck_notify_alloc(&req, NULL) < 0)
		return 0;
	t0 = now();
	if (write(go[1], "g", 1) != 1)
		return 0;
	close(go[1]);
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};

		if (poll(&p, 1, -1) < 0)
			break;
		if (p.revents & POLLIN) {
			if (sck_notify_recv_into(nt, req) < 0)
				continue;
			served++;
			sck_notify_continue(nt, req->id);
			continue;
		}
		if (p.revents & POLLHUP)
			break;
	}
	waitpid(pid, &st, 0);
	t1 = now();
	free(req);
	sck_notify_free(nt);
	close(fd);
	return served >= n ? (double)n / (t1 - t0) : 0;
}

/* BUNDLE/config.json from runc's spec: dd in the rootfs, read notified to the agent. */
static int write_bundle(const char *bundle, long n, const char *meta)
{
	char path[256], script[128];
	json_object *spec, *proc, *args, *root, *linux_o, *sec, *rule, *names, *archs, *calls;
	int rc;

	snprintf(path, sizeof(path), "%s/config.json", dir);
	spec = json_object_from_file(path);
	if (!spec)
		return -1;
	snprintf(script, sizeof(script), "count=%ld", n);
	json_object_object_get_ex(spec, "process", &proc);
	args = json_object_new_array();
	json_object_array_add(args, json_object_new_string("/bin/dd"));
	json_object_array_add(args, json_object_new_string("if=/dev/zero"));
	json_object_array_add(args, json_object_new_string("of=/dev/null"));
	json_object_array_add(args, json_object_new_string("bs=1"));
	json_object_array_add(args, json_object_new_string(script));
	json_object_object_add(proc, "args", args);
	json_object_object_add(proc, "terminal", json_object_new_boolean(0));
	root = json_object_new_object();
	snprintf(path, sizeof(path), "%s/rootfs", dir);
	json_object_object_add(root, "path", json_object_new_string(path));
	json_object_object_add(spec, "root", root);
	json_object_object_get_ex(spec, "linux", &linux_o);
	sec = json_object_new_object();
	json_object_object_add(sec, "defaultAction", json_object_new_string("SCMP_ACT_ALLOW"));
	archs = json_object_new_array();
	json_object_array_add(archs, json_object_new_string("SCMP_ARCH_X86_64"));
	json_object_object_add(sec, "architectures", archs);
	snprintf(path, sizeof(path), "%s/agent.sock", dir);
	json_object_object_add(sec, "listenerPath", json_object_new_string(path));
	json_object_object_add(sec, "listenerMetadata", json_object_new_string(meta));
	names = json_object_new_array();
	json_object_array_add(names, json_object_new_string("read"));
	rule = json_object_new_object();
	json_object_object_add(rule, "names", names);
	json_object_object_add(rule, "action", json_object_new_string("SCMP_ACT_NOTIFY"));
	calls = json_object_new_array();
	json_object_array_add(calls, rule);
	json_object_object_add(sec, "syscalls", calls);
	json_object_object_add(linux_o, "seccomp", sec);
	mkdir(bundle, 0755);
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	rc = json_object_to_file(path, spec);
	json_object_put(spec);
	return rc;
}

/* Seconds of the day of a log line's "time" (...THH:MM:SS.mmmZ). */
static double log_time(const char *line)
{
	const char *t = strstr(line, "\"time\":\"");
	unsigned int h, m, s, ms;

	if (!t || sscanf(t + 8, "%*10sT%u:%u:%u.%uZ", &h, &m, &s, &ms) != 4)
		return -1;
	return h * 3600.0 + m * 60.0 + s + ms / 1000.0;
}

/* Run @k containers at once; aggregate reads per second from the agent's log. */
static double through_agent(int k, long n, int round)
{
	char bundle[128], id[64], path[128], line[4096], tag[80];
	pid_t pids[MAXC];
	double first = 1e9, last = 0;
	long served = 0;
	int closes = 0;
	FILE *f;

	for (int i = 0; i < k; i++) {
		snprintf(bundle, sizeof(bundle), "%s/b%d", dir, i);
		snprintf(tag, sizeof(tag), "r%d", round);
		if (write_bundle(bundle, n, tag) < 0)
			return 0;
	}
	for (int i = 0; i < k; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int null = open("/dev/null", O_RDWR);

			snprintf(bundle, sizeof(bundle), "%s/b%d", dir, i);
			snprintf(id, sizeof(id), "sck-bench-%d-%d-%d", getppid(), round, i);
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			if (chdir(bundle) < 0)
				_exit(126);
			execlp("runc", "runc", "run", id, (char *)NULL);
			_exit(127);
		}
	}
	for (int i = 0; i < k; i++) {
		int st;

		waitpid(pids[i], &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			fprintf(stderr, "bench_agent: container %d: status 0x%x\n", i, st);
	}
	snprintf(path, sizeof(path), "%s/log", dir);
	snprintf(tag, sizeof(tag), "\"container\":\"sck-bench-%d-%d-", getpid(), round);
	for (int tries = 0; tries < 100 && closes < k; tries++) {
		usleep(20000);
		closes = 0;
		served = 0;
		first = 1e9;
		last = 0;
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			const char *s;
			double t = log_time(line);

			if (!strstr(line, tag))
				continue;
			if (strstr(line, "\"event\":\"connect\"") && t < first)
				first = t;
			if (strstr(line, "\"event\":\"close\"") &&
			    (s = strstr(line, "\"served\":"))) {
				served += atol(s + 9);
				closes++;
				if (t > last)
					last = t;
			}
		}
		fclose(f);
	}
	return closes == k && last > first ? (double)served / (last - first) : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 30000;
	const char *sck = getenv("SCK") ? getenv("SCK") : SCK_BENCH_SCK;
	double base[3], host[3], one[3], ten[3];
	char sock[128], pol[128], log[128];
	struct stat st;
	pid_t agent;
	int status;

	if (geteuid() != 0 || system("command -v runc >/dev/null 2>&1") != 0 ||
	    system("file -L /bin/busybox 2>/dev/null | grep -q 'statically linked'") != 0 ||
	    !sck_action_avail(SECCOMP_RET_USER_NOTIF) || access(sck, X_OK) != 0) {
		printf("bench_agent: skipped (needs root, runc, busybox-static, user notification "
		       "and %s)\n",
		       sck);
		return 0;
	}
	snprintf(dir, sizeof(dir), "/tmp/sck-bench-agent-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	if (sh("mkdir -p %s/rootfs/bin %s/rootfs/tmp", dir, dir) ||
	    sh("cp /bin/busybox %s/rootfs/bin/ && ln -s busybox %s/rootfs/bin/dd", dir, dir) ||
	    sh("cd %s && runc spec%s", dir, "")) {
		fprintf(stderr, "bench_agent: cannot set up %s\n", dir);
		return 1;
	}
	snprintf(sock, sizeof(sock), "%s/agent.sock", dir);
	snprintf(pol, sizeof(pol), "%s/policy.json", dir);
	snprintf(log, sizeof(log), "%s/log", dir);
	{
		FILE *f = fopen(pol, "w");

		if (!f)
			return 1;
		fputs("{\"defaultAction\": \"continue\"}\n", f);
		fclose(f);
	}
	agent = fork();
	if (agent == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(sck, "sck", "agent", "--socket", sock, "--policy", pol, "--log", log,
		      (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && stat(sock, &st) != 0; i++)
		usleep(20000);
	in_process(n / 10, NULL, 0); /* warm up */
	for (int r = 0; r < 3; r++) {
		base[r] = in_process(n, NULL, r);
		host[r] = in_process(n, sock, r);
		one[r] = through_agent(1, n, 2 * r);
		ten[r] = through_agent(MAXC, n / 5, 2 * r + 1);
	}
	kill(agent, SIGTERM);
	waitpid(agent, &status, 0);
	qsort(base, 3, sizeof(double), cmp_double);
	qsort(host, 3, sizeof(double), cmp_double);
	qsort(one, 3, sizeof(double), cmp_double);
	qsort(ten, 3, sizeof(double), cmp_double);
	printf("notified reads continued per second (median of 3; dd bs=1, %ld reads a run):\n", n);
	printf("  sck_notify, one process      %10.0f /s\n", base[1]);
	printf("  sck agent, same target       %10.0f /s  %5.3fx (no container)\n", host[1],
	       host[1] / base[1]);
	printf("  sck agent, 1 container       %10.0f /s  %5.3fx (goal >= 0.8)\n", one[1],
	       one[1] / base[1]);
	printf("  sck agent, %d containers     %10.0f /s  %5.3fx aggregate, %ld reads each "
	       "(goal >= 0.8)\n",
	       MAXC, ten[1], ten[1] / base[1], n / 5);
	sh("rm -rf %s%s", dir, "");
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
