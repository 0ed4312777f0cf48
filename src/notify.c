// SPDX-License-Identifier: MIT
/*
 * User notification: the notify module's sys layer (every ioctl on a listener fd, the target
 * memory reads, SCM_RIGHTS and pidfd_getfd hand-over, each turning -1/errno into -errno here) and
 * the supervisor's poll loop built on it. Buffers are sized from SECCOMP_GET_NOTIF_SIZES, asked
 * once and cached atomically.
 */
#include "sck/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

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
	size_t req_size;  /* bytes of a request buffer: the kernel's size, at least ours */
	size_t resp_size; /* same for a response */
	struct seccomp_notif *req;
};

int sck_notify_new(int listener, unsigned int flags, struct sck_notify **out)
{
	struct sck_notif_sizes sz;
	struct sck_notify *n;
	int rc;

	if (listener < 0 || !out || flags)
		return -EINVAL;
	rc = kernel_sizes(&sz);
	if (rc < 0)
		return rc;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->fd = listener;
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
	if (ioctl(n->fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
		return -errno;
	return 0;
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
	if (ioctl(n->fd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0)
		rc = -errno;
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
	if (ioctl(n->fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
		return -errno;
	return 0;
}

int sck_notify_addfd(struct sck_notify *n, uint64_t id, int srcfd, int newfd,
		     unsigned int newfd_flags, unsigned int flags)
{
	struct seccomp_notif_addfd a;
	int rc;

	if (!n || srcfd < 0 || newfd < 0)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	a.id = id;
	a.flags = flags;
	a.srcfd = (uint32_t)srcfd;
	a.newfd = (uint32_t)newfd;
	a.newfd_flags = newfd_flags;
	rc = ioctl(n->fd, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
	return rc < 0 ? -errno : rc;
}

int sck_notify_set_flags(struct sck_notify *n, uint64_t flags)
{
	if (!n)
		return -EINVAL;
	if (ioctl(n->fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags) < 0)
		return -errno;
	return 0;
}

/* Read through /proc/PID/mem: where process_vm_readv is missing or refused by policy. */
static ssize_t read_proc_mem(uint32_t pid, uint64_t addr, void *buf, size_t len)
{
	char path[40];
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		r = pread(fd, buf, len, (off_t)addr);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		r = -errno;
	else if (r == 0)
		r = -EFAULT; /* unmapped address or a process without memory */
	close(fd);
	return r;
}

/* Copy what is readable of [addr, addr + len): bytes copied, or -errno (-EFAULT: none). */
static ssize_t read_target(uint32_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = {buf, len};
	struct iovec remote = {(void *)(uintptr_t)addr, len};
	ssize_t r;

	if (addr > UINTPTR_MAX)
		return -EFAULT;
	r = process_vm_readv((pid_t)pid, &local, 1, &remote, 1, 0);
	if (r > 0)
		return r;
	if (r == 0)
		return -EFAULT;
	if (errno == ENOSYS || errno == EPERM)
		return read_proc_mem(pid, addr, buf, len);
	return -errno;
}

int sck_notify_mem_read(struct sck_notify *n, const struct seccomp_notif *req, uint64_t addr,
			void *buf, size_t len)
{
	ssize_t r;
	int rc;

	if (!n || !req || !buf || len == 0 || len > INT_MAX)
		return -EINVAL;
	r = read_target(req->pid, addr, buf, len);
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
		r = read_target(req->pid, addr + got, buf + got, want);
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
	do
		r = sendmsg(sock, &m, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
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
	r = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	if (r < 0)
		return -errno;
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
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -errno;
	rc = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (rc < 0)
		rc = -errno;
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
	int stopfd; /* eventfd: sck_supervisor_stop writes, run polls */
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

	if (flags || !out)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->stopfd < 0) {
		int rc = -errno;

		free(s);
		return rc;
	}
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
	rc = sck_notify_new(listener, 0, &n);
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
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -errno;
	s->cs[s->ncs++] = (struct sup_child){pid, pidfd, status};
	return 0;
}

size_t sck_supervisor_count(const struct sck_supervisor *s)
{
	return s ? s->nls : 0;
}

int sck_supervisor_stop(struct sck_supervisor *s)
{
	uint64_t one = 1;

	if (!s)
		return -EINVAL;
	if (write(s->stopfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Reap child @i if it has exited; returns true when it did (and removes it). */
static bool reap_child(struct sck_supervisor *s, size_t i)
{
	int st = 0;
	pid_t r;

	do
		r = waitpid(s->cs[i].pid, &st, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return false;
	/* r < 0 (ECHILD: reaped by someone else) also ends the watch; nothing to report then. */
	if (r > 0)
		*s->cs[i].status = st;
	close(s->cs[i].pidfd);
	s->cs[i] = s->cs[--s->ncs];
	return true;
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
		s->pfd[0] = (struct pollfd){s->stopfd, POLLIN, 0};
		for (size_t i = 0; i < nls; i++)
			s->pfd[1 + i] = (struct pollfd){s->ls[i].n->fd, POLLIN, 0};
		for (size_t i = 0; i < ncs; i++)
			s->pfd[1 + nls + i] = (struct pollfd){s->cs[i].pidfd, POLLIN, 0};
		if (deadline >= 0) {
			long left = deadline - now_ms();

			if (left <= 0)
				return -ETIMEDOUT;
			wait = left > INT_MAX ? INT_MAX : (int)left;
		}
		rc = poll(s->pfd, nfd, wait);
		if (rc < 0)
			return -errno;
		if (rc == 0)
			continue;
		if (s->pfd[0].revents) {
			uint64_t v;

			(void)!read(s->stopfd, &v, sizeof(v));
			return -ECANCELED;
		}
		/* Walk backwards so that removing entry i (swap with the last) is safe. */
		for (size_t i = nls; i-- > 0;) {
			short ev = s->pfd[1 + i].revents;
			const struct seccomp_notif *req = NULL;

			if (ev & POLLNVAL)
				return -EBADF;
			if (ev & POLLIN) {
				rc = sck_notify_recv(s->ls[i].n, &req);
				if (rc == -ENOENT || rc == -EINTR)
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
			if (s->pfd[1 + nls + i].revents)
				reap_child(s, i);
		}
	}
	return 0;
}
