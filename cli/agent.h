/* SPDX-License-Identifier: MIT */
/*
 * `sck agent`, the OCI seccomp agent, split along its seams: cmd_agent.c (options, the listening
 * socket, signals, threads), agent_conn.c (one container: its message, then its notifications),
 * agent_policy.c (the policy file and rule matching), agent_emul.c (the target's paths and the
 * emulated mknod), agent_log.c (JSON lines). docs/agent.md describes the behaviour and formats.
 */
#ifndef SCK_CLI_AGENT_H
#define SCK_CLI_AGENT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "learn_rec.h"
#include "spawn.h"

/* What a rule (or the default) answers. */
enum sck_agent_action {
	SCK_AGENT_CONTINUE = 0, /* let the kernel run the call; no log line */
	SCK_AGENT_LOG = 1,	/* continue and write a log line */
	SCK_AGENT_ERRNO = 2,	/* fail the call with errno */
	SCK_AGENT_EMULATE = 3,	/* mknod/mknodat of an allowlisted device, done by the agent */
};

/* A condition on one argument, as a profile's args[] entry. */
struct sck_agent_cond {
	unsigned int index;
	int op; /* SCK_CMP_* of <sck/filter.h> */
	uint64_t value, value_two;
};

enum sck_agent_path_kind {
	SCK_AGENT_PATH_NONE = 0,
	SCK_AGENT_PATH_EXACT,
	SCK_AGENT_PATH_PREFIX,
	SCK_AGENT_PATH_GLOB,
};

#define SCK_AGENT_MAX_DEVICES 32

struct sck_agent_rule {
	char **names; /* syscall names, NULL-terminated */
	struct sck_agent_cond conds[6];
	size_t nconds;
	enum sck_agent_path_kind path_kind;
	char *path;	/* the pattern */
	int path_arg;	/* index of the path argument (-1: the call's first string) */
	char *id_glob;	/* container id glob, or NULL */
	char *metadata; /* listenerMetadata that must equal, or NULL */
	enum sck_agent_action action;
	int err;				 /* SCK_AGENT_ERRNO */
	uint32_t devices[SCK_AGENT_MAX_DEVICES]; /* SCK_AGENT_EMULATE: major << 20 | minor */
	size_t ndevices;
};

struct sck_agent_policy {
	struct sck_agent_rule *rules;
	size_t nrules;
	enum sck_agent_action def; /* CONTINUE, LOG or ERRNO */
	int def_err;
};

/* The agent, shared by every thread. */
struct sck_agent {
	struct sck_agent_policy policy;
	const char *learn_dir; /* NULL: not learning */
	int log_fd;
	pthread_mutex_t log_lock;
	int stop_fd;			   /* eventfd: readable once the agent is stopping */
	pthread_mutex_t lock;		   /* the counters and the learning table below */
	pthread_cond_t idle;		   /* signalled when a thread ends */
	unsigned int threads;		   /* connection threads running */
	unsigned long conns;		   /* connections accepted so far */
	struct sck_agent_learned *learned; /* per container id, while its connections live */
	struct sck_agent_conn *live;	   /* connection threads running (under lock) */
	bool recv_blocks;		   /* threads block in the receive (agent_recv.c) */
	atomic_bool stopping;		   /* set before stop_fd is written */
};

/* One container connection, owned by its thread. */
struct sck_agent_conn {
	struct sck_agent *agent;
	int sock;
	unsigned long serial;
	int peer_pid;
	int listener;
	char id[256];
	char metadata[1024];
	int state_pid;
	char bundle[512];
	struct sck_agent_learned *learned;
	struct sck_agent_conn *next; /* on agent->live */
	pthread_t thread;
	atomic_bool in_recv; /* blocked (or about to block) in the receive */
};

/* Policy: parse @path into @p (0), or print `sck: agent: FILE:LINE:COL: ...` and return 2. */
int sck_agent_policy_load(const char *path, struct sck_agent_policy *p);
void sck_agent_policy_fini(struct sck_agent_policy *p);

/* What the policy says about one notification. */
struct sck_agent_verdict {
	const struct sck_agent_rule *rule; /* NULL: the default */
	long rule_index;		   /* -1: the default */
	enum sck_agent_action action;
	int err;
	char path[4096];     /* the path argument as read ("" when not read) */
	char resolved[4096]; /* against the cwd or dirfd ("" when not resolved) */
	int path_err;	     /* why the path could not be read (0, -ENOENT: target gone) */
};

/*
 * Decide @req of container @c (name @name on its ABI). Reads the path argument only when a rule
 * for the call has a path condition. Returns 0, or -ENOENT when the target went away meanwhile.
 */
int sck_agent_policy_match(const struct sck_agent_policy *p, const struct sck_agent_conn *c,
			   struct sck_notify *n, const struct seccomp_notif *req, const char *name,
			   struct sck_agent_verdict *v);

/*
 * Read path argument @idx of @req (the call's first string argument when @idx < 0) into @path
 * and, resolved against the target's cwd or the call's dirfd, into @resolved (both PATH_MAX).
 * Returns 0; -ENOENT (target gone); -EFAULT, -ENAMETOOLONG; -EINVAL (no such argument).
 */
int sck_agent_read_path(struct sck_notify *n, const struct seccomp_notif *req, const char *name,
			int idx, char *path, char *resolved);

/*
 * Emulate mknod/mknodat @req as the rule @r allows. Answers the notification itself. Fills
 * @result with what happened ("created", "denied: device 8:0 not allowed", ...).
 * Returns the errno given to the target (0: success, -1: continued) or -ENOENT (target gone).
 */
int sck_agent_emulate(const struct sck_agent_rule *r, struct sck_notify *n,
		      const struct seccomp_notif *req, const char *name, char *result, size_t cap);

/* Logging: one JSON line per call of sck_agent_log_*; thread-safe. */
void sck_agent_log_event(struct sck_agent *a, const struct sck_agent_conn *c, const char *event,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* @call: the call decoded as `sck trace` prints it (read before the answer, while the target's
 * memory still holds the arguments). */
void sck_agent_log_call(struct sck_agent *a, const struct sck_agent_conn *c,
			const struct seccomp_notif *req, const char *name,
			const struct sck_agent_verdict *v, const char *call, const char *response,
			int err, const char *result);

/* Append @s as a JSON string (quoted, escaped) to @b. */
void sck_agent_json_str(struct sck_cli_buf *b, const char *s);

/* The errno called @s ("EPERM" or "1"): 1..4095, or -1. The name of @e, or NULL. */
int sck_agent_errno_from(const char *s);
const char *sck_agent_errno_name(int e);

/* Thread body: serve connection @arg (a struct sck_agent_conn, freed at the end). */
void *sck_agent_conn_main(void *arg);

/* Whether a receive blocked on a listener ends when the filter's last user is gone (once,
 * before any thread starts; it forks a child). */
bool sck_agent_recv_probe(void);
/* Install the SIGUSR1 handler that interrupts a blocked receive: 0 or -errno. */
int sck_agent_recv_init(void);
/* With the agent stopping (@a->stopping set): interrupt every thread blocked in a receive
 * until all connection threads have ended. */
void sck_agent_recv_stop(struct sck_agent *a);

/* Learned profiles by container id (agent_conn.c). */
struct sck_agent_learned;

#endif /* SCK_CLI_AGENT_H */
