// SPDX-License-Identifier: MIT
/*
 * User notification: the listener handle (ioctls on a listener fd, target memory reads, the
 * SCM_RIGHTS and pidfd_getfd hand-over) and the supervisor's poll loop built on it. Every kernel
 * call goes through src/sys.c, which turns -1/errno into -errno; nothing here retries an
 * interrupted call. Buffers are sized from SECCOMP_GET_NOTIF_SIZES, asked once and cached
 * atomically. Handles ask for synchronous wake-ups (Linux 6.6) unless told not to: the kernel then
 * runs the supervisor and the target in turn on one CPU, which makes a round trip several times
 * cheaper than waking each on whatever CPU is idle.
 */
#include "sck/notify.h"
#include "sys_int.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* The layouts the ioctls use (the kernel's uapi, stable since 5.0 / 5.9). */
_Static_assert(sizeof(struct seccomp_notif) == 80, "seccomp_notif is 80 bytes");
_Static_assert(sizeof(struct seccomp_notif_resp) == 24, "seccomp_notif_resp is 24 bytes");
_Static_assert(sizeof(struct seccomp_notif_addfd) == 24, "seccomp_notif_addfd is 24 bytes");

/* Sizes of the running kernel: 0 until asked; bit 63 marks a valid answer. */
static _Atomic uint64_t sizes_cache;

static int kernel_sizes(struct sck_notif_sizes *out)
{
	uint64_t v = atomic_load_explicit(&sizes_cache, memory_order_relaxed);
	int rc;

	if (!(v >> 63)) {
		struct sck_notif_sizes s;

		rc = sck_get_notif_sizes(&s);
		if (rc < 0)
			return rc;
		v = (1ULL << 63) | (uint64_t)s.seccomp_notif |
		    (uint64_t)s.seccomp_notif_resp << 16 | (uint64_t)s.seccomp_data << 32;
		atomic_store_explicit(&sizes_cache, v, memory_order_relaxed);
	}
	out->seccomp_notif = (uint16_t)v;
	out->seccomp_notif_resp = (uint16_t)(v >> 16);
	out->seccomp_data = (uint16_t)(v >> 32);
	return 0;
}

static size_t max_size(size_t kernel, size_t ours)
{
	return kernel > ours ? kernel : ours;
}

struct sck_notify {
	int fd;
	bool sync;	  /* SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP set through this handle */
	size_t req_size;  /* bytes of a request buffer: the kernel's size, at least ours */
	size_t resp_size; /* same for a response */
	struct seccomp_notif *req;
};

/*
 * Ask for synchronous wake-ups on @listener (Linux 6.6): 1 when set, 0 when the kernel has no
 * such flag (EINVAL: a kernel that knows SET_FLAGS but not this flag; ENOTTY: one before the
 * ioctl, or an fd that is no listener, which the first receive reports), else -errno (-EINTR,
 * -EBADF).
 */
static int set_sync(int listener)
{
	int rc = sck_sys_ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
			       SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);

	if (rc == -EINVAL || rc == -ENOTTY)
		return 0;
	return rc < 0 ? rc : 1;
}

int sck_notify_new(int listener, unsigned int flags, struct sck_notify **out)
{
	struct sck_notif_sizes sz;
	struct sck_notify *n;
	int rc, sync = 0;

	if (listener < 0 || !out || (flags & ~(unsigned int)SCK_NOTIFY_NO_SYNC_WAKE_UP))
		return -EINVAL;
	rc = kernel_sizes(&sz);
	if (rc < 0)
		return rc;
	if (!(flags & SCK_NOTIFY_NO_SYNC_WAKE_UP)) {
		sync = set_sync(listener);
		if (sync < 0)
			return sync;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->fd = listener;
	n->sync = sync > 0;
	n->req_size = max_size(sz.seccomp_notif, sizeof(struct seccomp_notif));
	n->resp_size = max_size(sz.seccomp_notif_resp, sizeof(struct seccomp_notif_resp));
	n->req = calloc(1, n->req_size);
	if (!n->req) {
		free(n);
		return -ENOMEM;
	}
	*out = n;
	return 0;
}

void sck_notify_free(struct sck_notify *n)
{
	if (!n)
		return;
	free(n->req);
	free(n);
}

int sck_notify_fd(const struct sck_notify *n)
{
	return n ? n->fd : -EINVAL;
}

bool sck_notify_sync_wake_up(const struct sck_notify *n)
{
	return n && n->sync;
}

int sck_notify_alloc(struct seccomp_notif **req, struct seccomp_notif_resp **resp)
{
	struct seccomp_notif *q = NULL;
	struct seccomp_notif_resp *r = NULL;
	struct sck_notif_sizes sz;
	int rc;

	if (!req && !resp)
		return -EINVAL;
	rc = kernel_sizes(&sz);
	if (rc < 0)
		return rc;
	if (req && !(q = calloc(1, max_size(sz.seccomp_notif, sizeof(*q)))))
		return -ENOMEM;
	if (resp && !(r = calloc(1, max_size(sz.seccomp_notif_resp, sizeof(*r))))) {
		free(q);
		return -ENOMEM;
	}
	if (req)
		*req = q;
	if (resp)
		*resp = r;
	return 0;
}

static int recv_raw(struct sck_notify *n, struct seccomp_notif *req)
{
	/* The kernel refuses a buffer with non-zero bytes (EINVAL, Linux 5.5). */
	memset(req, 0, n->req_size);
	return sck_sys_ioctl(n->fd, SECCOMP_IOCTL_NOTIF_RECV, (unsigned long)(uintptr_t)req);
}

int sck_notify_recv(struct sck_notify *n, const struct seccomp_notif **req)
{
	int rc;

	if (!n || !req)
		return -EINVAL;
	rc = recv_raw(n, n->req);
	if (rc == 0)
		*req = n->req;
	return rc;
}

int sck_notify_recv_into(struct sck_notify *n, struct seccomp_notif *req)
{
	if (!n || !req)
		return -EINVAL;
	return recv_raw(n, req);
}

int sck_notify_respond(struct sck_notify *n, uint64_t id, int64_t val, int error,
		       unsigned int flags)
{
	/* Responses are small: a stack buffer serves every kernel so far, the heap any other. */
	union {
		struct seccomp_notif_resp r;
		unsigned char bytes[64];
	} stack;
	struct seccomp_notif_resp *resp = &stack.r;
	int rc = 0;

	if (!n || error < 0 || error > SCK_ERRNO_MAX)
		return -EINVAL;
	if (n->resp_size > sizeof(stack)) {
		resp = calloc(1, n->resp_size);
		if (!resp)
			return -ENOMEM;
	} else {
		memset(&stack, 0, n->resp_size);
	}
	resp->id = id;
	resp->val = val;
	resp->error = -error;
	resp->flags = flags;
	rc = sck_sys_ioctl(n->fd, SECCOMP_IOCTL_NOTIF_SEND, (unsigned long)(uintptr_t)resp);
	if (resp != &stack.r)
		free(resp);
	return rc;
}

int sck_notify_continue(struct sck_notify *n, uint64_t id)
{
	return sck_notify_respond(n, id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
}

int sck_notify_id_valid(struct sck_notify *n, uint64_t id)
{
	if (!n)
		return -EINVAL;
	return sck_sys_ioctl(n->fd, SECCOMP_IOCTL_NOTIF_ID_VALID, (unsigned long)(uintptr_t)&id);
}

int sck_notify_addfd(struct sck_notify *n, uint64_t id, int srcfd, int newfd,
		     unsigned int newfd_flags, unsigned int flags)
{
	struct seccomp_notif_addfd a;

	if (!n || srcfd < 0 || newfd < 0)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	a.id = id;
	a.flags = flags;
	a.srcfd = (uint32_t)srcfd;
	a.newfd = (uint32_t)newfd;
	a.newfd_flags = newfd_flags;
	return sck_sys_ioctl(n->fd, SECCOMP_IOCTL_NOTIF_ADDFD, (unsigned long)(uintptr_t)&a);
}

int sck_notify_set_flags(struct sck_notify *n, uint64_t flags)
{
	int rc;

	/* The kernel takes the flags as the ioctl's argument value: above unsigned long they
	 * would be cut, and no such flag exists. */
	if (!n || flags > ULONG_MAX)
		return -EINVAL;
	rc = sck_sys_ioctl(n->fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, (unsigned long)flags);
	if (rc == 0)
		n->sync = (flags & SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) != 0;
	return rc;
}

int sck_notify_mem_read(struct sck_notify *n, const struct seccomp_notif *req, uint64_t addr,
			void *buf, size_t len)
{
	ssize_t r;
	int rc;

	if (!n || !req || !buf || len == 0 || len > INT_MAX)
		return -EINVAL;
	r = sck_sys_mem_read((int)req->pid, addr, buf, len);
	/* Whatever came back, it only counts if the thread that asked is still the one blocked:
	 * its tid may have died and been reused in between. */
	rc = sck_notify_id_valid(n, req->id);
	if (rc < 0)
		return rc;
	return (int)r;
}

int sck_notify_mem_read_str(struct sck_notify *n, const struct seccomp_notif *req, uint64_t addr,
			    char *buf, size_t cap)
{
	size_t got = 0;
	int rc;

	if (!n || !req || !buf || cap == 0 || cap > INT_MAX)
		return -EINVAL;
	buf[0] = '\0';
	/* Page by page: a string that ends just before an unmapped page must still read. */
	while (got < cap) {
		size_t want = 4096 - (size_t)((addr + got) & 4095);
		ssize_t r;
		char *nul;

		if (want > cap - got)
			want = cap - got;
		r = sck_sys_mem_read((int)req->pid, addr + got, buf + got, want);
		if (r < 0) {
			buf[got < cap ? got : cap - 1] = '\0';
			rc = sck_notify_id_valid(n, req->id);
			return rc < 0 ? rc : (int)r;
		}
		nul = memchr(buf + got, '\0', (size_t)r);
		if (nul) {
			rc = sck_notify_id_valid(n, req->id);
			return rc < 0 ? rc : (int)(nul - buf);
		}
		got += (size_t)r;
	}
	buf[cap - 1] = '\0';
	rc = sck_notify_id_valid(n, req->id);
	return rc < 0 ? rc : -ERANGE;
}

int sck_notify_listener_send(int sock, int listener)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	char byte = 'L';
	struct iovec iov = {&byte, 1};
	struct msghdr m;
	ssize_t r;

	if (sock < 0 || listener < 0)
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = c.buf;
	m.msg_controllen = sizeof(c.buf);
	c.h.cmsg_level = SOL_SOCKET;
	c.h.cmsg_type = SCM_RIGHTS;
	c.h.cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(&c.h), &listener, sizeof(int));
	r = sck_sys_sendmsg(sock, &m, MSG_NOSIGNAL);
	return r < 0 ? (int)r : 0;
}

int sck_notify_listener_recv(int sock)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} c;
	char byte;
	struct iovec iov = {&byte, 1};
	struct msghdr m;
	struct cmsghdr *h;
	int fd = -1, extra = 0;
	ssize_t r;

	if (sock < 0)
		return -EINVAL;
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = c.buf;
	m.msg_controllen = sizeof(c.buf);
	r = sck_sys_recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	if (r < 0)
		return (int)r;
	for (h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
		size_t nfd;

		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			int got;

			memcpy(&got, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
			if (fd < 0) {
				fd = got;
			} else {
				close(got);
				extra++;
			}
		}
	}
	if (fd >= 0 && (extra || (m.msg_flags & MSG_CTRUNC))) {
		close(fd);
		return -EBADMSG;
	}
	if (fd >= 0)
		return fd;
	return r == 0 ? -ENODATA : -EBADMSG;
}

int sck_notify_listener_getfd(int pid, int fd)
{
	int pidfd, rc;

	if (pid <= 0 || fd < 0)
		return -EINVAL;
	pidfd = sck_sys_pidfd_open(pid);
	if (pidfd < 0)
		return pidfd;
	rc = sck_sys_pidfd_getfd(pidfd, fd);
	close(pidfd);
	return rc;
}

/* The supervisor loop. */

struct sup_listener {
	struct sck_notify *n;
	int (*fn)(struct sck_notify *n, const struct seccomp_notif *req, void *arg);
	void *arg;
};

struct sup_child {
	int pid, pidfd;
	int *status;
};

struct sck_supervisor {
	int stopfd;		   /* eventfd: sck_supervisor_stop writes, run polls */
	unsigned int notify_flags; /* for sck_notify_new */
	struct sup_listener *ls;
	size_t nls, capls;
	struct sup_child *cs;
	size_t ncs, capcs;
	struct pollfd *pfd;
	size_t cappfd;
};

int sck_supervisor_new(unsigned int flags, struct sck_supervisor **out)
{
	struct sck_supervisor *s;

	if ((flags & ~(unsigned int)SCK_SUPERVISOR_NO_SYNC_WAKE_UP) || !out)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->stopfd = sck_sys_eventfd();
	if (s->stopfd < 0) {
		int rc = s->stopfd;

		free(s);
		return rc;
	}
	if (flags & SCK_SUPERVISOR_NO_SYNC_WAKE_UP)
		s->notify_flags = SCK_NOTIFY_NO_SYNC_WAKE_UP;
	*out = s;
	return 0;
}

void sck_supervisor_free(struct sck_supervisor *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nls; i++)
		sck_notify_free(s->ls[i].n);
	for (size_t i = 0; i < s->ncs; i++)
		close(s->cs[i].pidfd);
	close(s->stopfd);
	free(s->ls);
	free(s->cs);
	free(s->pfd);
	free(s);
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int sck_supervisor_add(struct sck_supervisor *s, int listener,
		       int (*fn)(struct sck_notify *n, const struct seccomp_notif *req, void *arg),
		       void *arg)
{
	struct sck_notify *n;
	int rc;

	if (!s || listener < 0 || !fn)
		return -EINVAL;
	rc = grow((void **)&s->ls, &s->capls, s->nls + 1, sizeof(*s->ls));
	if (rc < 0)
		return rc;
	rc = sck_notify_new(listener, s->notify_flags, &n);
	if (rc < 0)
		return rc;
	s->ls[s->nls++] = (struct sup_listener){n, fn, arg};
	return 0;
}

int sck_supervisor_add_child(struct sck_supervisor *s, int pid, int *status)
{
	int rc, pidfd;

	if (!s || pid <= 0 || !status)
		return -EINVAL;
	rc = grow((void **)&s->cs, &s->capcs, s->ncs + 1, sizeof(*s->cs));
	if (rc < 0)
		return rc;
	pidfd = sck_sys_pidfd_open(pid);
	if (pidfd < 0)
		return pidfd;
	s->cs[s->ncs++] = (struct sup_child){pid, pidfd, status};
	return 0;
}

size_t sck_supervisor_count(const struct sck_supervisor *s)
{
	return s ? s->nls : 0;
}

int sck_supervisor_stop(struct sck_supervisor *s)
{
	if (!s)
		return -EINVAL;
	return sck_sys_eventfd_add(s->stopfd, 1);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Reap child @i if it has exited (and stop watching it): 0, or -EINTR with the child kept. */
static int reap_child(struct sck_supervisor *s, size_t i)
{
	int st = 0, r = sck_sys_reap(s->cs[i].pid, &st);

	if (r == 0 || r == -EINTR)
		return r;
	/* r < 0 (ECHILD: reaped by someone else) also ends the watch; nothing to report then. */
	if (r > 0)
		*s->cs[i].status = st;
	close(s->cs[i].pidfd);
	s->cs[i] = s->cs[--s->ncs];
	return 0;
}

int sck_supervisor_run(struct sck_supervisor *s, int timeout_ms)
{
	long deadline;

	if (!s)
		return -EINVAL;
	deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	while (s->nls || s->ncs) {
		size_t nfd = 1 + s->nls + s->ncs, nls = s->nls, ncs = s->ncs;
		int wait = -1, rc;

		rc = grow((void **)&s->pfd, &s->cappfd, nfd, sizeof(*s->pfd));
		if (rc < 0)
			return rc;
		/* Listeners first, the stop last: poll(2) stops adding itself to wait queues once
		 * an fd is ready, so a busy listener spares the others' queues (a few % a round
		 * trip); every fd's revents is filled all the same. */
		for (size_t i = 0; i < nls; i++)
			s->pfd[i] = (struct pollfd){s->ls[i].n->fd, POLLIN, 0};
		for (size_t i = 0; i < ncs; i++)
			s->pfd[nls + i] = (struct pollfd){s->cs[i].pidfd, POLLIN, 0};
		s->pfd[nls + ncs] = (struct pollfd){s->stopfd, POLLIN, 0};
		if (deadline >= 0) {
			long left = deadline - now_ms();

			if (left <= 0)
				return -ETIMEDOUT;
			wait = left > INT_MAX ? INT_MAX : (int)left;
		}
		rc = sck_sys_poll(s->pfd, nfd, wait);
		if (rc < 0)
			return rc;
		if (rc == 0)
			continue;
		if (s->pfd[nls + ncs].revents) {
			rc = sck_sys_eventfd_drain(s->stopfd);
			return rc < 0 ? rc : -ECANCELED;
		}
		/* Walk backwards so that removing entry i (swap with the last) is safe. */
		for (size_t i = nls; i-- > 0;) {
			short ev = s->pfd[i].revents;
			const struct seccomp_notif *req = NULL;

			if (ev & POLLNVAL)
				return -EBADF;
			if (ev & POLLIN) {
				/* ENOENT: the target died or was interrupted before the
				 * receive; the kernel queues it again if it restarts. */
				rc = sck_notify_recv(s->ls[i].n, &req);
				if (rc == -ENOENT)
					continue;
				if (rc < 0)
					return rc;
				rc = s->ls[i].fn(s->ls[i].n, req, s->ls[i].arg);
				if (rc < 0)
					return rc;
			} else if (ev & (POLLHUP | POLLERR)) {
				sck_notify_free(s->ls[i].n);
				s->ls[i] = s->ls[--s->nls];
			}
		}
		for (size_t i = ncs; i-- > 0;) {
			if (s->pfd[nls + i].revents && (rc = reap_child(s, i)) < 0)
				return rc;
		}
	}
	return 0;
}
