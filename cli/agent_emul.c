// SPDX-License-Identifier: MIT
/*
 * What the agent does inside a container on a target's behalf: read a path argument and resolve
 * it against the target's cwd or the call's dirfd (as the container sees them), and emulate
 * mknod/mknodat of allowlisted character devices, as LXD does for unprivileged containers: a
 * forked helper joins the target's mount namespace, takes its root and its cwd or dirfd, checks
 * the directory is writable with the target's credentials, creates the node with the target's
 * umask, gives it the target's owner, and the target gets the real result. Everything read about
 * the target (memory, /proc) is trusted only after the notification is rechecked as pending.
 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

/* The index of the dirfd that goes with string argument @idx, or -1 (relative to the cwd). */
static int dirfd_index(const char *spec, int idx)
{
	return idx > 0 && spec[idx - 1] == 'f' ? idx - 1 : -1;
}

static int string_index(const char *name, int idx, const char **specp)
{
	const char *spec = sck_cli_arg_spec(name), *s;

	*specp = spec;
	if (!spec)
		return -EINVAL;
	if (idx >= 0)
		return (size_t)idx < strlen(spec) && spec[idx] == 's' ? idx : -EINVAL;
	s = strchr(spec, 's');
	return s ? (int)(s - spec) : -EINVAL;
}

/* Lexically: "//" and "/./" collapsed, ".." takes off the previous component. @p absolute. */
static void normalize(char *p)
{
	char *out = p, *in = p;

	while (*in) {
		while (*in == '/')
			in++;
		if (!*in)
			break;
		if (in[0] == '.' && (in[1] == '/' || !in[1])) {
			in++;
			continue;
		}
		if (in[0] == '.' && in[1] == '.' && (in[2] == '/' || !in[2])) {
			in += 2;
			while (out > p && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		while (*in && *in != '/')
			*out++ = *in++;
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

int sck_agent_read_path(struct sck_notify *n, const struct seccomp_notif *req, const char *name,
			int idx, char *path, char *resolved)
{
	char link[64], base[PATH_MAX];
	const char *spec;
	int si = string_index(name, idx, &spec), di, rc;
	ssize_t len;

	path[0] = resolved[0] = '\0';
	if (si < 0)
		return si;
	rc = sck_notify_mem_read_str(n, req, req->data.args[si], path, PATH_MAX);
	if (rc < 0) {
		path[0] = '\0';
		return rc == -ERANGE ? -ENAMETOOLONG : rc;
	}
	if (path[0] == '/') {
		snprintf(resolved, PATH_MAX, "%s", path);
		normalize(resolved);
		return 0;
	}
	di = dirfd_index(spec, si);
	if (di < 0 || (int32_t)req->data.args[di] == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%u/cwd", req->pid);
	else
		snprintf(link, sizeof(link), "/proc/%u/fd/%d", req->pid,
			 (int32_t)req->data.args[di]);
	/* The target's cwd as its own root sees it: the kernel prints the path from the root of
	 * the target's mount namespace when ours cannot reach it. */
	len = readlink(link, base, sizeof(base) - 1);
	if (len < 0)
		return errno == ENOENT || errno == ESRCH ? -ENOENT : -errno;
	base[len] = '\0';
	rc = sck_notify_id_valid(n, req->id); /* the pid was still the target's */
	if (rc < 0)
		return rc;
	if (base[0] != '/')
		return -EBADF; /* a dirfd that is not a directory (a pipe, a socket) */
	if ((size_t)snprintf(resolved, PATH_MAX, "%s/%s", base, path) >= PATH_MAX) {
		resolved[0] = '\0';
		return -ENAMETOOLONG;
	}
	normalize(resolved);
	return 0;
}

/* Fsuid, fsgid and umask of @pid from /proc/PID/status. */
static int target_creds(unsigned int pid, uid_t *uid, gid_t *gid, mode_t *umask_out)
{
	char file[64], line[256];
	int found = 0;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%u/status", pid);
	f = fopen(file, "re");
	if (!f)
		return errno == ENOENT ? -ENOENT : -errno;
	*umask_out = 022;
	while (fgets(line, sizeof(line), f)) {
		unsigned int a, b, c, d, m;

		/* Uid: real effective saved fs; the fs ids decide file access and ownership */
		if (sscanf(line, "Uid: %u %u %u %u", &a, &b, &c, &d) == 4) {
			*uid = d;
			found |= 1;
		} else if (sscanf(line, "Gid: %u %u %u %u", &a, &b, &c, &d) == 4) {
			*gid = d;
			found |= 2;
		} else if (sscanf(line, "Umask: %o", &m) == 1) {
			*umask_out = m;
		}
	}
	fclose(f);
	return found == 3 ? 0 : -ENOENT;
}

struct mknod_job {
	int mnt, root, base; /* the target's mount ns, root, and cwd or dirfd */
	const char *path;
	mode_t mode, umask;
	dev_t dev;
	uid_t uid;
	gid_t gid;
};

/* The forked helper: async-signal-safe calls only (the agent is multithreaded). */
static int mknod_child(const struct mknod_job *j)
{
	char dir[PATH_MAX];
	const char *slash;
	size_t len;

	if (setns(j->mnt, CLONE_NEWNS) < 0 || fchdir(j->root) < 0 || chroot(".") < 0)
		return errno;
	/* may the target create entries in the directory? (its fs ids, AT_EACCESS) */
	slash = strrchr(j->path, '/');
	if (!slash) {
		dir[0] = '.';
		dir[1] = '\0';
	} else {
		len = slash == j->path ? 1 : (size_t)(slash - j->path);
		if (len >= sizeof(dir))
			return ENAMETOOLONG;
		memcpy(dir, j->path, len);
		dir[len] = '\0';
	}
	if (j->uid != 0) {
		setfsgid(j->gid);
		setfsuid(j->uid);
		if (faccessat(j->base, dir, W_OK | X_OK, AT_EACCESS) < 0)
			return errno;
		setfsuid(0);
		setfsgid(0);
	}
	umask(j->umask);
	if (mknodat(j->base, j->path, j->mode, j->dev) < 0)
		return errno;
	if (fchownat(j->base, j->path, j->uid, j->gid, AT_SYMLINK_NOFOLLOW) < 0) {
		int e = errno;

		unlinkat(j->base, j->path, 0);
		return e;
	}
	return 0;
}

static int run_mknod(const struct mknod_job *j)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(mknod_child(j));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return ECHILD;
	if (!WIFEXITED(status))
		return EIO;
	return WEXITSTATUS(status);
}

static bool allowed(const struct sck_agent_rule *r, unsigned int maj, unsigned int min)
{
	for (size_t i = 0; i < r->ndevices; i++)
		if (r->devices[i] == (maj << 20 | min))
			return true;
	return false;
}

int sck_agent_emulate(const struct sck_agent_rule *r, struct sck_notify *n,
		      const struct seccomp_notif *req, const char *name, char *result, size_t cap)
{
	bool at = strcmp(name, "mknodat") == 0;
	int first = at ? 1 : 0;
	mode_t mode = (mode_t)req->data.args[first + 1];
	uint32_t dev32 = (uint32_t)req->data.args[first + 2];
	struct mknod_job j = {-1, -1, -1, NULL, 0, 0, 0, 0, 0};
	char *path = NULL, file[64];
	int err, rc;

	if (!S_ISCHR(mode) && !S_ISBLK(mode)) {
		/* fifos, sockets and regular files need no privilege: the kernel does them */
		snprintf(result, cap, "continued: not a device");
		rc = sck_notify_continue(n, req->id);
		return rc == -ENOENT ? -ENOENT : -1;
	}
	/* the kernel's mknod takes a 32-bit dev: new_decode_dev's layout, which glibc's is too */
	if (!S_ISCHR(mode) || !allowed(r, major(dev32), minor(dev32))) {
		snprintf(result, cap, "denied: %s %u:%u not allowed",
			 S_ISCHR(mode) ? "char" : "block", major(dev32), minor(dev32));
		err = EPERM;
		goto answer;
	}
	path = malloc(PATH_MAX);
	if (!path) {
		err = ENOMEM;
		snprintf(result, cap, "failed: %s", strerror(err));
		goto answer;
	}
	rc = sck_notify_mem_read_str(n, req, req->data.args[first], path, PATH_MAX);
	if (rc < 0) {
		err = rc == -ERANGE ? ENAMETOOLONG : -rc;
		snprintf(result, cap, "failed: path unreadable: %s", strerror(err));
		goto answer;
	}
	rc = target_creds(req->pid, &j.uid, &j.gid, &j.umask);
	snprintf(file, sizeof(file), "/proc/%u/ns/mnt", req->pid);
	j.mnt = rc < 0 ? -1 : open(file, O_RDONLY | O_CLOEXEC);
	snprintf(file, sizeof(file), "/proc/%u/root", req->pid);
	j.root = j.mnt < 0 ? -1 : open(file, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (at && (int32_t)req->data.args[0] != AT_FDCWD)
		snprintf(file, sizeof(file), "/proc/%u/fd/%d", req->pid,
			 (int32_t)req->data.args[0]);
	else
		snprintf(file, sizeof(file), "/proc/%u/cwd", req->pid);
	j.base = j.root < 0 ? -1 : open(file, O_PATH | O_CLOEXEC);
	err = j.base < 0 ? errno : 0;
	/* Everything above came through the pid: it was the target's only if it is still
	 * waiting in this call. */
	rc = sck_notify_id_valid(n, req->id);
	if (rc < 0) {
		snprintf(result, cap, "target gone");
		rc = -ENOENT;
		goto out;
	}
	if (err) {
		snprintf(result, cap, "failed: %s: %s", file, strerror(err));
		goto answer;
	}
	j.path = path;
	j.mode = mode;
	j.dev = makedev(major(dev32), minor(dev32));
	err = run_mknod(&j);
	if (err == 0)
		snprintf(result, cap, "created %u:%u", major(dev32), minor(dev32));
	else
		snprintf(result, cap, "failed: %s", strerror(err));
answer:
	rc = sck_notify_respond(n, req->id, 0, err, 0);
	if (rc == -ENOENT)
		snprintf(result, cap, "target gone");
	rc = rc == -ENOENT ? -ENOENT : err;
out:
	if (j.base >= 0)
		close(j.base);
	if (j.root >= 0)
		close(j.root);
	if (j.mnt >= 0)
		close(j.mnt);
	free(path);
	return rc;
}
