// SPDX-License-Identifier: MIT
/*
 * Notifications served by `sck agent` from runc containers against sck_notify in one process,
 * with the baselines that tell the agent's cost from the container's. The workload is the same
 * everywhere: busybox `dd if=/dev/zero of=/dev/null bs=1 count=N`, whose every read is notified
 * and continued. sck_notify here (poll, receive, CONTINUE, as the agent serves) for dd forked on
 * the host; for dd put by hand where runc puts a container's process (new namespaces, a cgroup
 * of its own in every hierarchy); and for a runc container whose listenerPath is this program's
 * socket. The agent for the host dd, for 1 container, and for 10 at once. Every rate is round
 * trips from the first answer to the last (for the agent, the first/last of its "close" events;
 * for 10 containers, summed over the span of their union), so that neither process start-up nor
 * container teardown counts. The series alternate over several rounds (min / median / max), the
 * ratios are taken per round; for the loops in this process the CPU time of a round trip (target
 * and server, from /proc schedstat) is less sensitive to the machine's load than the rate. Needs
 * root, runc and busybox-static; skips otherwise.
 * Usage: bench_agent [N [ROUNDS]]. SCK (environment) names the sck binary (default: this build's);
 * SCK_BENCH_CGROUPS, SCK_BENCH_NS and SCK_BENCH_JOIN narrow the own-cgroups target (cgroups()).
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <sched.h>
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
#include "bench_stats.h"

#define MAXC 10

static char dir[64];
static pid_t bench_pid; /* names the cgroups of cgroups() */

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

static double agent_rate(const char *prefix, int k);

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

/* /proc/PID/schedstat (PID 0: this thread): nanoseconds on a CPU, then waiting for one. */
static void schedstat(int pid, double out[2])
{
	char path[64];
	unsigned long long run = 0, wait = 0;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	else
		snprintf(path, sizeof(path), "/proc/thread-self/schedstat");
	f = fopen(path, "r");
	if (f && fscanf(f, "%llu %llu", &run, &wait) != 2)
		run = wait = 0;
	if (f)
		fclose(f);
	out[0] = (double)run;
	out[1] = (double)wait;
}

/*
 * Serve listener @fd here as the agent does (receive, CONTINUE) until its last user goes.
 * Round trips per second from the first answer to the last (0 when fewer than @n came); in @cpu
 * the CPU time per round trip of the target and this thread together, from /proc schedstat
 * between the first answer and the @n-th (the target's pid as the notification gives it). Like
 * the agent where the kernel allows (agent_recv.c), this blocks in the receive; from the @n-th
 * answer on it polls, so that a kernel which leaves a receive blocked on hang-up cannot hang it.
 */
static double serve_here(int fd, long n, double *cpu)
{
	struct seccomp_notif *req = NULL;
	struct sck_notify *nt = NULL;
	double t0 = 0, t1 = 0, a[2][2] = {{0}}, b[2][2] = {{0}};
	long served = 0;

	*cpu = 0;
	if (sck_notify_new(fd, 0, &nt) < 0 || sck_notify_alloc(&req, NULL) < 0) {
		sck_notify_free(nt);
		return 0;
	}
	for (;;) {
		struct pollfd p = {fd, POLLIN, POLLIN};

		if (served >= n && poll(&p, 1, -1) < 0)
			break;
		if (p.revents & POLLIN) {
			if (sck_notify_recv_into(nt, req) < 0) {
				/* a receive ended by hang-up (dd gone early): stop */
				p.revents = 0;
				if (served < n && poll(&p, 1, 0) == 1 && !(p.revents & POLLIN) &&
				    (p.revents & POLLHUP))
					break;
				continue;
			}
			sck_notify_continue(nt, req->id);
			/* as the agent's log has it: from the first answer to the last */
			if (served++ == 0) {
				t0 = now();
				schedstat((int)req->pid, a[0]);
				schedstat(0, a[1]);
			} else {
				t1 = now();
			}
			if (served == n) {
				schedstat((int)req->pid, b[0]);
				schedstat(0, b[1]);
			}
			continue;
		}
		if (p.revents & POLLHUP)
			break;
	}
	free(req);
	sck_notify_free(nt);
	if (served < n || t1 <= t0)
		return 0;
	*cpu = (b[0][0] - a[0][0] + b[1][0] - a[1][0]) / (double)(n - 1);
	return (double)(served - 1) / (t1 - t0);
}

/*
 * What the "own cgroups+namespaces" target gets, to tell which part costs (environment):
 * SCK_BENCH_CGROUPS, a comma list of hierarchies ("cpu", "memory", "systemd" ...; default all,
 * "none" for none); SCK_BENCH_NS=0, no new namespaces; SCK_BENCH_JOIN=1, the serving thread
 * joins the target's cgroups for the round (cgroup v1, whose "tasks" takes a thread).
 */
static const char *cg_only;
static bool own_ns = true, join_cg;

/* Whether hierarchy @ctrl ("cpu,cpuacct", "name=systemd", "" for v2) is selected. */
static bool cg_selected(const char *ctrl)
{
	char want[256], have[256];

	if (!cg_only)
		return true;
	snprintf(want, sizeof(want), "%s", cg_only);
	for (char *w = strtok(want, ","); w; w = strtok(NULL, ",")) {
		char *save = NULL;

		snprintf(have, sizeof(have), "%s", strncmp(ctrl, "name=", 5) ? ctrl : ctrl + 5);
		for (char *h = strtok_r(have, ",", &save); h; h = strtok_r(NULL, ",", &save))
			if (strcmp(h, w) == 0)
				return true;
		if (!*ctrl && strcmp(w, "unified") == 0)
			return true;
	}
	return false;
}

/*
 * The cgroups a container gets, made by hand: one directory "sck-bench-PID" below this process's
 * own cgroup in every hierarchy of /proc/self/cgroup (runc's cgroupfs driver does the same with
 * the container id). @op 'm' makes them (cpuset's cpus and mems copied from the parent, which
 * cgroup v1 needs before a task may join), 'j' moves the calling process in, 'r' removes them,
 * 't' moves the calling thread in and 'b' back to where it was (v1). Only the hierarchies
 * cg_selected. Returns 0, or -errno of the first failure.
 */
static int cgroups(char op)
{
	char line[512], path[768], val[256];
	FILE *f = fopen("/proc/self/cgroup", "r");
	int rc = 0;

	if (!f)
		return -errno;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *ctrl = strchr(line, ':'), *rel = ctrl ? strchr(ctrl + 1, ':') : NULL;
		char base[300];

		if (!rel)
			continue;
		*rel++ = '\0';
		ctrl++;
		rel[strcspn(rel, "\n")] = '\0';
		if (!*ctrl) /* cgroup v2: the unified mount of a hybrid system, else the root */
			snprintf(base, sizeof(base), "/sys/fs/cgroup%s",
				 access("/sys/fs/cgroup/unified", F_OK) == 0 ? "/unified" : "");
		else
			snprintf(base, sizeof(base), "/sys/fs/cgroup/%s",
				 strncmp(ctrl, "name=", 5) == 0 ? ctrl + 5 : ctrl);
		if (access(base, F_OK) != 0 || !cg_selected(ctrl))
			continue;
		snprintf(path, sizeof(path), "%s%s/sck-bench-%d", base, strcmp(rel, "/") ? rel : "",
			 (int)bench_pid);
		if (op == 'b') { /* back: the parent of the one 't' joined, which rel now names */
			char *last = strrchr(rel, '/');

			if (last && strncmp(last, "/sck-bench-", 11) == 0)
				*last = '\0';
			snprintf(path, sizeof(path), "%s%s/", base, rel);
		}
		if (op == 'r') {
			rmdir(path);
			continue;
		}
		if (op == 'm') {
			if (mkdir(path, 0755) < 0 && errno != EEXIST) {
				rc = -errno;
				break;
			}
			for (int i = 0; i < 2 && strstr(ctrl, "cpuset"); i++) {
				const char *file = i ? "cpuset.mems" : "cpuset.cpus";
				char from[800], to[800];
				FILE *r, *w;

				snprintf(from, sizeof(from), "%s%s/%s", base,
					 strcmp(rel, "/") ? rel : "", file);
				snprintf(to, sizeof(to), "%s/%s", path, file);
				r = fopen(from, "r");
				w = r ? fopen(to, "w") : NULL;
				if (r && w && fgets(val, sizeof(val), r))
					fputs(val, w);
				if (w && fclose(w) != 0)
					rc = -errno;
				if (r)
					fclose(r);
			}
			continue;
		}
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s",
			 op == 'j' ? "cgroup.procs" : "tasks");
		{
			FILE *w = fopen(path, "w");

			snprintf(val, sizeof(val), "%ld\n",
				 op == 'j' ? 0L : (long)syscall(SYS_gettid));
			if (!w || fputs(val, w) < 0)
				rc = -errno;
			if (w && fclose(w) != 0)
				rc = -errno;
		}
	}
	fclose(f);
	return rc;
}

enum { HOST, CONTAINED };

/*
 * One round without runc: reads per second, from the first answer to the last, of a forked dd
 * served by sck_notify here, or by the agent at @sock when not NULL. @where CONTAINED puts dd
 * where runc puts a container's process, by hand: new mount, pid, ipc, uts and net namespaces
 * and the cgroups of cgroups('m'); then only the container's kernel-side cost differs from HOST.
 * For this process's loop, @cpu gets the CPU time per round trip (target and server).
 */
static double in_process(long n, const char *sock, int round, int where, double *cpu)
{
	static const struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_read, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	char count[32];
	double rate;
	int sv[2], go[2], fd, st;
	pid_t pid;
	char c;

	*cpu = 0;
	snprintf(count, sizeof(count), "count=%ld", n);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 || pipe(go) < 0)
		return 0;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(go[1]);
		dup2(null, 1);
		dup2(null, 2);
		if (where == CONTAINED) {
			/* the new pid namespace takes effect in a child: this one waits for it */
			if (own_ns && unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC |
					      CLONE_NEWUTS | CLONE_NEWNET) < 0)
				_exit(5);
			pid = fork();
			if (pid < 0)
				_exit(5);
			if (pid > 0) {
				close(sv[1]);
				close(go[0]);
				_exit(waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? WEXITSTATUS(st)
										   : 6);
			}
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (cgroups('j') < 0)
				_exit(5);
		}
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
	if (fd < 0) {
		close(go[1]);
		waitpid(pid, &st, 0);
		return 0;
	}
	/* the agent gets the listener before dd starts, as from a runtime */
	if (sock && to_agent(sock, fd, round) < 0) {
		close(go[1]);
		go[1] = -1;
	}
	if (sock) {
		close(fd);
		fd = -1;
	}
	rate = 0;
	if (go[1] >= 0 && write(go[1], "g", 1) == 1) {
		close(go[1]);
		go[1] = -1;
		if (!sock) {
			bool joined = where == CONTAINED && join_cg && cgroups('t') == 0;

			rate = where == CONTAINED && join_cg && !joined ? 0
									: serve_here(fd, n, cpu);
			if (joined)
				cgroups('b');
		} else if (waitpid(pid, &st, 0) == pid) {
			pid = -1;
			snprintf(count, sizeof(count), "sck-bench-host-%d\"", round);
			rate = agent_rate(count, 1);
		}
	}
	if (go[1] >= 0)
		close(go[1]);
	if (fd >= 0)
		close(fd);
	if (pid > 0)
		waitpid(pid, &st, 0);
	return rate;
}

/* BUNDLE/config.json from runc's spec: dd in the rootfs, read notified to @listener. */
static int write_bundle(const char *bundle, long n, const char *meta, const char *listener)
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
	json_object_object_add(sec, "listenerPath", json_object_new_string(listener));
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

/*
 * From the agent's log: the @k "close" events of connections whose container id starts with
 * @prefix; notifications answered per second from the first answer to the last (their union).
 */
static double agent_rate(const char *prefix, int k)
{
	char path[128], line[4096], tag[128];
	double first = 1e18, last = 0;
	long served = 0;
	int closes = 0;

	snprintf(path, sizeof(path), "%s/log", dir);
	snprintf(tag, sizeof(tag), "\"container\":\"%s", prefix);
	for (int tries = 0; tries < 250 && closes < k; tries++) {
		FILE *f = fopen(path, "r");

		usleep(20000);
		closes = 0;
		served = 0;
		first = 1e18;
		last = 0;
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			const char *s = strstr(line, "\"served\":"), *a, *z;

			if (!strstr(line, tag) || !strstr(line, "\"event\":\"close\"") || !s ||
			    !(a = strstr(line, "\"first\":")) || !(z = strstr(line, "\"last\":")))
				continue;
			/* n answers span n - 1 round trips from the first to the last */
			served += atol(s + 9) - 1;
			closes++;
			if (atof(a + 8) < first)
				first = atof(a + 8);
			if (atof(z + 7) > last)
				last = atof(z + 7);
		}
		fclose(f);
	}
	return closes == k && last > first ? (double)served / (last - first) : 0;
}

/* `runc run ID` in BUNDLE, quiet; its pid. */
static pid_t start_runc(const char *bundle, const char *id)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (chdir(bundle) < 0)
			_exit(126);
		execlp("runc", "runc", "run", id, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Run @k containers at once; aggregate reads per second from the agent's log. */
static double through_agent(int k, long n, int round)
{
	char bundle[128], id[64], tag[80], sock[128];
	pid_t pids[MAXC];

	snprintf(sock, sizeof(sock), "%s/agent.sock", dir);
	for (int i = 0; i < k; i++) {
		snprintf(bundle, sizeof(bundle), "%s/b%d", dir, i);
		snprintf(tag, sizeof(tag), "r%d", round);
		if (write_bundle(bundle, n, tag, sock) < 0)
			return 0;
	}
	for (int i = 0; i < k; i++) {
		snprintf(bundle, sizeof(bundle), "%s/b%d", dir, i);
		snprintf(id, sizeof(id), "sck-bench-%d-%d-%d", getpid(), round, i);
		pids[i] = start_runc(bundle, id);
	}
	for (int i = 0; i < k; i++) {
		int st;

		if (pids[i] < 0 || waitpid(pids[i], &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			fprintf(stderr, "bench_agent: container %d failed\n", i);
	}
	snprintf(tag, sizeof(tag), "sck-bench-%d-%d-", getpid(), round);
	return agent_rate(tag, k);
}

/*
 * One container whose runtime hands the listener to this program (its own socket, @lsock)
 * instead of the agent, served by serve_here: what the agent's 1-container figure is, minus
 * the agent. Counted the same way, from the first answer (runc's init, before it execs dd).
 */
static double from_container(int lsock, long n, int round, double *cpu)
{
	char bundle[128], id[64], path[128];
	double rate = 0;
	pid_t pid;
	int fd = -1, st;

	*cpu = 0;
	snprintf(bundle, sizeof(bundle), "%s/direct", dir);
	snprintf(path, sizeof(path), "%s/direct.sock", dir);
	if (write_bundle(bundle, n, "direct", path) < 0)
		return 0;
	snprintf(id, sizeof(id), "sck-bench-direct-%d-%d", getpid(), round);
	pid = start_runc(bundle, id);
	/* runc connects once the filter is loaded; a runc that exits first has failed */
	for (int i = 0; pid > 0 && i < 1000; i++) {
		struct pollfd p = {lsock, POLLIN, 0};

		if (poll(&p, 1, 20) == 1) {
			int s = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);

			if (s >= 0) {
				fd = sck_notify_listener_recv(s);
				close(s);
			}
			break;
		}
		if (waitpid(pid, &st, WNOHANG) == pid)
			pid = -1;
	}
	if (fd >= 0) {
		rate = serve_here(fd, n, cpu);
		close(fd);
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
	return rate;
}

#define MAXR 50

enum { BASE, OWNCG, DIRECT, AGENT_HOST, AGENT_ONE, AGENT_TEN, NSERIES };

static const char *const names[NSERIES] = {
	"sck_notify, host target",     "sck_notify, own cgroups+namespaces",
	"sck_notify, runc container",  "sck agent, host target",
	"sck agent, 1 runc container", "sck agent, 10 runc containers",
};

/* min, median, max of @rounds values; the median is returned. */
static double spread(const double *v, int rounds, double *min, double *max)
{
	double s[MAXR];

	memcpy(s, v, (size_t)rounds * sizeof(double));
	qsort(s, (size_t)rounds, sizeof(double), cmp_double);
	*min = s[0];
	*max = s[rounds - 1];
	return s[rounds / 2];
}

/* "NAME: MEDIAN (MIN .. MAX)" of the per-round ratios r[a][i] / r[b][i]. */
static void paired(const char *name, double r[][MAXR], int a, int b, int rounds, const char *goal)
{
	double v[MAXR], lo, hi, med;

	for (int i = 0; i < rounds; i++)
		v[i] = r[b][i] > 0 ? r[a][i] / r[b][i] : 0;
	med = spread(v, rounds, &lo, &hi);
	printf("  %-58s %5.3fx (%.3f .. %.3f)%s\n", name, med, lo, hi, goal);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 30000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	const char *sck = getenv("SCK") ? getenv("SCK") : SCK_BENCH_SCK;
	static double r[NSERIES][MAXR], cpu[NSERIES][MAXR];
	char sock[128], pol[128], log[128], dsock[128];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	bool owncg;
	struct stat st;
	pid_t agent;
	int status, lsock;

	if (n < 100 || rounds < 1 || rounds > MAXR) {
		fprintf(stderr, "usage: bench_agent [N >= 100 [ROUNDS <= %d]]\n", MAXR);
		return 2;
	}
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
	snprintf(dsock, sizeof(dsock), "%s/direct.sock", dir);
	{
		FILE *f = fopen(pol, "w");

		if (!f)
			return 1;
		fputs("{\"defaultAction\": \"continue\"}\n", f);
		fclose(f);
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/direct.sock", dir);
	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lsock < 0 || bind(lsock, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lsock, 4) < 0) {
		fprintf(stderr, "bench_agent: %s: %s\n", dsock, strerror(errno));
		return 1;
	}
	bench_pid = getpid();
	cg_only = getenv("SCK_BENCH_CGROUPS");
	own_ns = !getenv("SCK_BENCH_NS") || strcmp(getenv("SCK_BENCH_NS"), "0") != 0;
	join_cg = getenv("SCK_BENCH_JOIN") && strcmp(getenv("SCK_BENCH_JOIN"), "1") == 0;
	owncg = cgroups('m') == 0;
	agent = fork();
	if (agent == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(sck, "sck", "agent", "--socket", sock, "--policy", pol, "--log", log,
		      (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && stat(sock, &st) != 0; i++)
		usleep(20000);
	in_process(n / 10, NULL, 0, HOST, &cpu[BASE][0]); /* warm up */
	/* Round i starts at series i: a change of the machine's load hits every series alike. */
	for (int i = 0; i < rounds; i++)
		for (int j = 0; j < NSERIES; j++) {
			int k = (i + j) % NSERIES;

			switch (k) {
			case BASE:
				r[k][i] = in_process(n, NULL, i, HOST, &cpu[k][i]);
				break;
			case OWNCG:
				r[k][i] = owncg ? in_process(n, NULL, i, CONTAINED, &cpu[k][i]) : 0;
				break;
			case DIRECT:
				r[k][i] = from_container(lsock, n, i, &cpu[k][i]);
				break;
			case AGENT_HOST:
				r[k][i] = in_process(n, sock, i, HOST, &cpu[k][i]);
				break;
			case AGENT_ONE:
				r[k][i] = through_agent(1, n, 2 * i);
				break;
			default:
				r[k][i] = through_agent(MAXC, n / 5, 2 * i + 1);
				break;
			}
		}
	kill(agent, SIGTERM);
	waitpid(agent, &status, 0);
	close(lsock);
	if (owncg)
		cgroups('r');
	printf("notified reads continued per second, %d interleaved rounds (dd bs=1, %ld reads a "
	       "run; %d containers at once: %ld each, summed):\n",
	       rounds, n, MAXC, n / 5);
	printf("  %-36s %9s %9s %9s  %s\n", "server, target", "min", "median", "max",
	       "CPU ns per round trip (target + server, median)");
	for (int k = 0; k < NSERIES; k++) {
		double lo, hi, med = spread(r[k], rounds, &lo, &hi), clo, chi;

		if (k == OWNCG && !owncg) {
			printf("  %-36s skipped: cannot make cgroups\n", names[k]);
			continue;
		}
		printf("  %-36s %9.0f %9.0f %9.0f", names[k], lo, med, hi);
		if (k <= DIRECT)
			printf("  %6.0f", spread(cpu[k], rounds, &clo, &chi));
		printf("\n");
	}
	if (cg_only || !own_ns || join_cg)
		printf("  (own cgroups+namespaces: cgroups %s, namespaces %s, the server thread "
		       "%s)\n",
		       cg_only ? cg_only : "all", own_ns ? "new" : "the host's",
		       join_cg ? "in the target's cgroups" : "in its own");
	printf("per-round ratios, median (min .. max):\n");
	paired("sck agent, 1 container / sck_notify, host target", r, AGENT_ONE, BASE, rounds,
	       " goal >= 0.8");
	paired("sck agent, 10 containers / sck_notify, host target", r, AGENT_TEN, BASE, rounds,
	       " goal >= 0.8");
	paired("sck agent / sck_notify, both a runc container", r, AGENT_ONE, DIRECT, rounds,
	       " (the agent's own cost)");
	paired("sck agent / sck_notify, both a host target", r, AGENT_HOST, BASE, rounds, "");
	paired("sck_notify: runc container / host target", r, DIRECT, BASE, rounds,
	       " (the container's)");
	if (owncg)
		paired("sck_notify: own cgroups+namespaces / host target", r, OWNCG, BASE, rounds,
		       "");
	sh("rm -rf %s%s", dir, "");
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
