// SPDX-License-Identifier: MIT
/*
 * One connection of `sck agent`, on its own thread: read the runtime's message whole (the
 * SCM_RIGHTS fds and the JSON container process state: ociVersion, fds, pid, metadata, state),
 * refuse anything malformed with a log line, then serve the container's listener until the kernel
 * reports its last user gone (POLLHUP) or the agent stops; in learn mode record every call and
 * write DIR/<id>.json when the container's last connection ends. A thread per container keeps a
 * slow container (an emulated mknod waiting on a slow filesystem) from delaying the others.
 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MSG_MAX 65536 /* bytes of JSON a runtime may send */
#define FDS_MAX 16

/* What one container id has used, over all its connections (runc exec adds one each). */
struct sck_agent_learned {
	struct sck_agent_learned *next;
	char id[256];
	unsigned int refs;
	pthread_mutex_t lock;
	struct sck_cli_learn rec;
};

static struct sck_agent_learned *learned_get(struct sck_agent *a, const char *id)
{
	struct sck_agent_learned *l;

	pthread_mutex_lock(&a->lock);
	for (l = a->learned; l; l = l->next)
		if (strcmp(l->id, id) == 0)
			break;
	if (!l && (l = calloc(1, sizeof(*l)))) {
		snprintf(l->id, sizeof(l->id), "%s", id);
		pthread_mutex_init(&l->lock, NULL);
		/* the native ABI first, as `sck learn` writes it */
		if (!sck_cli_learn_arch(&l->rec, sck_arch_native())) {
			free(l);
			l = NULL;
		} else {
			l->next = a->learned;
			a->learned = l;
		}
	}
	if (l)
		l->refs++;
	pthread_mutex_unlock(&a->lock);
	return l;
}

/* Drop a reference; the last one writes DIR/<id>.json. */
static void learned_put(struct sck_agent_conn *c)
{
	struct sck_agent *a = c->agent;
	struct sck_agent_learned *l = c->learned, **pp;
	struct sck_cli_buf b = {NULL, 0, 0, false};
	char path[PATH_MAX];
	int rc;

	pthread_mutex_lock(&a->lock);
	if (--l->refs > 0) {
		pthread_mutex_unlock(&a->lock);
		return;
	}
	for (pp = &a->learned; *pp != l; pp = &(*pp)->next)
		;
	*pp = l->next;
	pthread_mutex_unlock(&a->lock);
	rc = 0;
	for (size_t i = 0; sck_cli_runtime_calls[i] && rc == 0; i++)
		rc = sck_cli_learn_add_name(&l->rec, sck_arch_native(), sck_cli_runtime_calls[i]);
	if (rc == 0)
		rc = l->rec.err ? l->rec.err : sck_cli_learn_profile(&l->rec, &b);
	snprintf(path, sizeof(path), "%s/%s.json", a->learn_dir, l->id);
	if (rc == 0)
		rc = sck_cli_write_file(path, b.p, b.len);
	free(b.p);
	b.p = NULL;
	b.len = b.cap = 0;
	sck_cli_buf_printf(&b, ",\"file\":");
	sck_agent_json_str(&b, path);
	if (rc < 0)
		sck_cli_buf_printf(&b, ",\"error\":\"%s\"", strerror(-rc));
	sck_agent_log_event(a, c, rc < 0 ? "learn-failed" : "learned", "%s", b.oom ? "" : b.p);
	free(b.p);
	sck_cli_learn_fini(&l->rec);
	pthread_mutex_destroy(&l->lock);
	free(l);
	c->learned = NULL;
}

/* Why a message is refused, for the log. */
static void drop(struct sck_agent_conn *c, const char *why)
{
	struct sck_cli_buf b = {NULL, 0, 0, false};

	sck_agent_json_str(&b, why);
	sck_agent_log_event(c->agent, c, "drop", ",\"peer_pid\":%d,\"reason\":%s", c->peer_pid,
			    b.oom ? "\"?\"" : b.p);
	free(b.p);
}

static bool id_ok(const char *id)
{
	if (!*id || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return false;
	for (const char *p = id; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && !strchr("_+-.", *p))
			return false;
	return true;
}

/* The JSON state: 0 with c->id, metadata ... filled; or the reason it is refused in @why. */
static int read_state(struct sck_agent_conn *c, json_object *root, int nfds, char *why, size_t cap)
{
	json_object *v, *st, *w;

	if (!json_object_is_type(root, json_type_object))
		return snprintf(why, cap, "not a JSON object"), -1;
	if (!json_object_object_get_ex(root, "ociVersion", &v) ||
	    !json_object_is_type(v, json_type_string))
		return snprintf(why, cap, "ociVersion: missing or not a string"), -1;
	if (!json_object_object_get_ex(root, "fds", &v) || !json_object_is_type(v, json_type_array))
		return snprintf(why, cap, "fds: missing or not an array"), -1;
	if ((int)json_object_array_length(v) != nfds)
		return snprintf(why, cap, "fds: %zu names for %d fds", json_object_array_length(v),
				nfds),
		       -1;
	for (int i = 0; i < nfds; i++) {
		w = json_object_array_get_idx(v, (size_t)i);
		if (!json_object_is_type(w, json_type_string) ||
		    strcmp(json_object_get_string(w), "seccompFd") != 0)
			return snprintf(why, cap, "fds[%d]: unknown fd name %.60s", i,
					json_object_to_json_string_ext(
						w, JSON_C_TO_STRING_NOSLASHESCAPE)),
			       -1;
	}
	if (json_object_object_get_ex(root, "metadata", &v)) {
		if (!json_object_is_type(v, json_type_string))
			return snprintf(why, cap, "metadata: not a string"), -1;
		snprintf(c->metadata, sizeof(c->metadata), "%s", json_object_get_string(v));
	}
	if (json_object_object_get_ex(root, "pid", &v) && json_object_is_type(v, json_type_int))
		c->state_pid = json_object_get_int(v);
	if (!json_object_object_get_ex(root, "state", &st) ||
	    !json_object_is_type(st, json_type_object))
		return snprintf(why, cap, "state: missing or not an object"), -1;
	if (!json_object_object_get_ex(st, "id", &v) || !json_object_is_type(v, json_type_string))
		return snprintf(why, cap, "state.id: missing or not a string"), -1;
	if (!id_ok(json_object_get_string(v)) || json_object_get_string_len(v) >= 256)
		return snprintf(why, cap, "state.id: %.80s is not a container id",
				json_object_to_json_string_ext(v, JSON_C_TO_STRING_NOSLASHESCAPE)),
		       -1;
	snprintf(c->id, sizeof(c->id), "%s", json_object_get_string(v));
	if (json_object_object_get_ex(st, "bundle", &w) && json_object_is_type(w, json_type_string))
		snprintf(c->bundle, sizeof(c->bundle), "%s", json_object_get_string(w));
	return 0;
}

/*
 * Read the message: data until the JSON value is complete or the peer closes, the fds of every
 * control message kept. Returns 0 with c->listener set, or -1 (logged and dropped).
 */
static int read_message(struct sck_agent_conn *c)
{
	int fds[FDS_MAX], nfds = 0, rc = -1;
	char *msg = malloc(MSG_MAX + 1), why[256] = "";
	json_tokener *tok = json_tokener_new();
	json_object *root = NULL;
	size_t len = 0;
	bool truncated_fds = false;

	if (!msg || !tok) {
		drop(c, strerror(ENOMEM));
		goto out;
	}
	for (;;) {
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(FDS_MAX * sizeof(int))];
		} ctl;
		struct iovec iov = {msg + len, MSG_MAX - len};
		struct msghdr mh = {0};
		struct pollfd pfd[2] = {{c->sock, POLLIN, 0}, {c->agent->stop_fd, POLLIN, 0}};
		ssize_t r;

		if (len == MSG_MAX) {
			snprintf(why, sizeof(why), "message above %d bytes", MSG_MAX);
			goto out;
		}
		/* a peer that says nothing for 5 s is dropped */
		r = poll(pfd, 2, 5000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			snprintf(why, sizeof(why), "timed out after %zu bytes", len);
			goto out;
		}
		if (r < 0 || (pfd[1].revents & POLLIN)) {
			snprintf(why, sizeof(why), "agent stopping");
			goto out;
		}
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		r = recvmsg(c->sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0) {
			snprintf(why, sizeof(why), "recvmsg: %s", strerror(errno));
			goto out;
		}
		if (mh.msg_flags & MSG_CTRUNC)
			truncated_fds = true;
		for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h)) {
			if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
				continue;
			for (size_t i = 0; i < (h->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
				if (nfds < FDS_MAX)
					fds[nfds++] = fd;
				else
					close(fd);
			}
		}
		if (r == 0) {
			snprintf(why, sizeof(why),
				 len ? "truncated JSON (%zu bytes, then the peer closed)"
				     : "peer closed without a message",
				 len);
			goto out;
		}
		root = json_tokener_parse_ex(tok, msg + len, (int)r);
		len += (size_t)r;
		if (root)
			break;
		if (json_tokener_get_error(tok) != json_tokener_continue) {
			snprintf(why, sizeof(why), "bad JSON at byte %zu: %s",
				 json_tokener_get_parse_end(tok),
				 json_tokener_error_desc(json_tokener_get_error(tok)));
			goto out;
		}
	}
	if (truncated_fds || nfds != 1) {
		snprintf(why, sizeof(why), "%d fds where one is expected%s", nfds,
			 truncated_fds ? " (some cut by the kernel)" : "");
		goto out;
	}
	if (read_state(c, root, nfds, why, sizeof(why)) < 0)
		goto out;
	{
		char link[64], target[64];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fds[0]);
		n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		if (strcmp(target, "anon_inode:seccomp notify") != 0) {
			snprintf(why, sizeof(why), "the fd is not a seccomp listener (%s)", target);
			goto out;
		}
	}
	c->listener = fds[0];
	nfds = 0;
	rc = 0;
out:
	if (rc < 0) {
		drop(c, why);
		c->id[0] = '\0';
	}
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	json_object_put(root);
	if (tok)
		json_tokener_free(tok);
	free(msg);
	return rc;
}

static const char *action_name(enum sck_agent_action a)
{
	static const char *const names[] = {"continue", "log", "errno", "emulate"};

	return names[a];
}

/*
 * Answer one notification; -ENOENT (target gone) is normal. @v is the connection's verdict
 * buffer. Returns 0 or a fatal -errno.
 */
static int handle(struct sck_agent_conn *c, struct sck_notify *n, const struct seccomp_notif *req,
		  struct sck_agent_verdict *v, bool stopping)
{
	struct sck_agent *a = c->agent;
	const struct sck_arch *arch = sck_cli_notif_arch(req);
	const char *name = arch ? sck_syscall_name(arch, req->data.nr) : NULL;
	char result[256] = "", call[4096];
	int rc = 0, err = 0;

	if (a->learn_dir) {
		struct sck_agent_learned *l = c->learned;

		pthread_mutex_lock(&l->lock);
		if (!arch) /* an ABI sck has no table for cannot be written by name */
			l->rec.unknown++;
		else if ((rc = sck_cli_learn_record(&l->rec, arch, &req->data)) < 0 && !l->rec.err)
			l->rec.err = rc;
		pthread_mutex_unlock(&l->lock);
		v->rule = NULL;
		v->rule_index = -1;
		v->action = SCK_AGENT_LOG;
		v->err = 0;
		v->path[0] = v->resolved[0] = '\0';
		v->path_err = 0;
	} else {
		rc = sck_agent_policy_match(&a->policy, c, n, req, name, v);
		if (rc == -ENOENT)
			return 0;
		if (stopping && v->action == SCK_AGENT_EMULATE) {
			/* the policy's default, not a fork, while the agent stops */
			v->action = a->policy.def;
			v->err = a->policy.def_err;
		}
	}
	/* decoded before the answer: once the target runs on, its memory may change or go */
	if (v->action != SCK_AGENT_CONTINUE)
		sck_cli_format_call(n, req, call, sizeof(call));
	/* EINTR: the stop's SIGUSR1 (agent_recv.c) landed; the answer was not given yet */
	switch (v->action) {
	case SCK_AGENT_CONTINUE:
	case SCK_AGENT_LOG:
		while ((rc = sck_notify_continue(n, req->id)) == -EINTR)
			;
		break;
	case SCK_AGENT_ERRNO:
		err = v->err;
		while ((rc = sck_notify_respond(n, req->id, 0, err, 0)) == -EINTR)
			;
		break;
	case SCK_AGENT_EMULATE:
		rc = sck_agent_emulate(v->rule, n, req, name, result, sizeof(result));
		err = rc > 0 ? rc : 0;
		rc = rc == -ENOENT ? -ENOENT : 0;
		break;
	}
	if (rc == -ENOENT && !result[0])
		snprintf(result, sizeof(result), "target gone");
	if (v->action != SCK_AGENT_CONTINUE)
		sck_agent_log_call(a, c, req, name, v, call, action_name(v->action), err,
				   result[0] ? result : NULL);
	return rc == -ENOENT || rc == -EINPROGRESS ? 0 : rc;
}

/*
 * Wait for the next notification and receive it into @req: 1 received, 0 the container is gone
 * (hang-up), -ECANCELED the agent stops, -EAGAIN nothing this time (a target that went away
 * meanwhile, an interrupted wait), or another -errno. Blocking in the receive where the kernel
 * ends it on hang-up (agent_recv.c), else poll the listener and the stop.
 */
static int next(struct sck_agent_conn *c, struct sck_notify *n, struct seccomp_notif *req)
{
	struct sck_agent *a = c->agent;
	struct pollfd pfd[2] = {{c->listener, POLLIN, 0}, {a->stop_fd, POLLIN, 0}};
	int rc;

	if (a->recv_blocks) {
		/* in_recv first: the stop either sees it and signals, or is seen here */
		atomic_store(&c->in_recv, true);
		if (atomic_load(&a->stopping)) {
			atomic_store(&c->in_recv, false);
			return -ECANCELED;
		}
		rc = sck_notify_recv_into(n, req);
		atomic_store(&c->in_recv, false);
		if (rc == 0)
			return 1;
		if (rc == -EINTR)
			return -EAGAIN;
		if (rc != -ENOENT)
			return rc;
		/* ENOENT: the filter's last user is gone, or one target was interrupted */
		rc = poll(pfd, 1, 0);
		if (rc == 1 && !(pfd[0].revents & POLLIN) &&
		    (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
			return 0;
		return -EAGAIN;
	}
	rc = poll(pfd, 2, -1);
	if (rc < 0)
		return errno == EINTR ? -EAGAIN : -errno;
	if (pfd[1].revents & POLLIN)
		return -ECANCELED;
	if (pfd[0].revents & POLLIN) {
		rc = sck_notify_recv_into(n, req);
		if (rc == -ENOENT || rc == -EINTR)
			return -EAGAIN;
		return rc < 0 ? rc : 1;
	}
	if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
		return 0;
	return -EAGAIN;
}

/* Serve the listener until POLLHUP or the agent stops (then answer what is pending). */
static void serve(struct sck_agent_conn *c)
{
	struct sck_agent *a = c->agent;
	struct seccomp_notif *req = NULL;
	struct sck_agent_verdict *v = malloc(sizeof(*v));
	struct sck_notify *n = NULL;
	unsigned long served = 0;
	struct timespec first = {0, 0}, last = {0, 0};
	const char *why = "hangup";
	int rc;

	/* One thread serves this listener: sck_notify_new asks for synchronous wake-ups, so that
	 * the kernel may run the target on this thread's CPU (Linux 6.6; older kernels refuse the
	 * flag, which changes nothing). */
	rc = v ? sck_notify_new(c->listener, 0, &n) : -ENOMEM;
	if (rc == 0)
		rc = sck_notify_alloc(&req, NULL);
	if (rc != 0 || !req) {
		sck_agent_log_event(a, c, "close", ",\"reason\":\"%s\"",
				    strerror(rc < 0 ? -rc : ENOMEM));
		goto out;
	}
	for (;;) {
		rc = next(c, n, req);
		if (rc == -EAGAIN)
			continue;
		if (rc == 0)
			break;
		if (rc == -ECANCELED) {
			/* answer what is pending, then go */
			struct pollfd pfd = {c->listener, POLLIN, 0};

			while (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN)) {
				if (sck_notify_recv_into(n, req) == 0) {
					handle(c, n, req, v, true);
					served++;
				}
			}
			why = "agent stopping";
			break;
		}
		if (rc < 0) {
			why = strerror(-rc);
			break;
		}
		rc = handle(c, n, req, v, false);
		/* when the container was busy, for rates: the first and the last answer */
		clock_gettime(CLOCK_REALTIME, served++ ? &last : &first);
		if (rc < 0) {
			why = strerror(-rc);
			break;
		}
	}
	if (served < 2)
		last = first;
	sck_agent_log_event(
		a, c, "close",
		",\"reason\":\"%s\",\"served\":%lu,\"first\":%lld.%06ld,\"last\":%lld.%06ld", why,
		served, (long long)first.tv_sec, first.tv_nsec / 1000, (long long)last.tv_sec,
		last.tv_nsec / 1000);
out:
	free(v);
	free(req);
	sck_notify_free(n);
}

void *sck_agent_conn_main(void *arg)
{
	struct sck_agent_conn *c = arg;
	struct sck_agent *a = c->agent;
	struct sck_cli_buf meta = {NULL, 0, 0, false};

	c->listener = -1;
	c->thread = pthread_self();
	atomic_init(&c->in_recv, false);
	pthread_mutex_lock(&a->lock);
	c->next = a->live;
	a->live = c;
	pthread_mutex_unlock(&a->lock);
	if (read_message(c) == 0) {
		sck_cli_buf_printf(&meta, ",\"pid\":%d,\"metadata\":", c->state_pid);
		sck_agent_json_str(&meta, c->metadata);
		sck_cli_buf_printf(&meta, ",\"bundle\":");
		sck_agent_json_str(&meta, c->bundle);
		sck_agent_log_event(a, c, "connect", "%s", meta.oom ? "" : meta.p);
		if (a->learn_dir && !(c->learned = learned_get(a, c->id)))
			sck_agent_log_event(a, c, "close", ",\"reason\":\"%s\"", strerror(ENOMEM));
		else
			serve(c);
		if (c->learned)
			learned_put(c);
	}
	free(meta.p);
	if (c->listener >= 0)
		close(c->listener);
	close(c->sock);
	pthread_mutex_lock(&a->lock);
	for (struct sck_agent_conn **pp = &a->live; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	a->threads--;
	pthread_cond_broadcast(&a->idle);
	pthread_mutex_unlock(&a->lock);
	free(c);
	return NULL;
}
