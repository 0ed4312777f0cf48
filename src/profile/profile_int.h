/* SPDX-License-Identifier: MIT */
/*
 * Internals of the profile reader, shared by its four files: profile_json.c (JSON helpers, the
 * JSON paths and errors of a diagnostic, the strict parse), profile_docker.c (Docker's clauses:
 * archMap, includes/excludes by arch, capability and kernel version), profile_rules.c (what runc
 * and libseccomp make of a rule: actions, conditions, conflicts, per-arch rules, the -ENOSYS
 * stub) and profile.c (the reader itself and the public entry points). Nothing here is exported
 * from libsck.
 */
#ifndef SCK_PROFILE_INT_H
#define SCK_PROFILE_INT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filter/filter_profile.h"
#include "sck/filter.h"
#include "sck/profile.h"

/* Longest JSON path a diagnostic names (longer ones are cut). */
#define SCK_PROF_PATH_MAX 128
/* A path step without an index. */
#define SCK_PROF_NO_INDEX SIZE_MAX

/*
 * The JSON path of a value, written out only when a message names it (sck_prof_path_str): the
 * path @up (NULL: none), then @key ("syscalls", ".names" ...), then "[@idx]" unless @idx is
 * SCK_PROF_NO_INDEX. Each step costs a few stores; formatting one for every value read was a
 * tenth of the time of reading Docker's profile.
 */
struct sck_prof_path {
	const struct sck_prof_path *up;
	const char *key;
	size_t idx;
};

/* A path of one step: @key under @up, no index. */
#define SCK_PROF_AT(up_, key_) (&(const struct sck_prof_path){(up_), (key_), SCK_PROF_NO_INDEX})
/* A path of one step: @key under @up, index @i. */
#define SCK_PROF_AT_I(up_, key_, i_) (&(const struct sck_prof_path){(up_), (key_), (i_)})

/* A conditional rule as libseccomp keeps it: its conditions in argument order. */
struct sck_prof_chain {
	uint32_t action;
	int name_idx; /* its syscall, an index in sck_syscall_names */
	size_t idx;   /* syscalls[idx] */
	size_t n;
	struct sck_cond conds[6];
	bool dead;   /* replaced by a rule that is its start */
	size_t next; /* index + 1 of the next chain in the same slot of heads, 0: none */
};

/*
 * What libseccomp has kept of the profile's syscalls so far: the names with an unconditional
 * rule (every later rule of theirs is dropped) and the conditional rules of all names, for
 * conflicts, hashed by name and first condition (only chains sharing both can be a prefix of one
 * another).
 */
struct sck_prof_rules {
	uint64_t *uncond; /* a bit per index in sck_syscall_names, NULL until one is set */
	struct sck_prof_chain *seen;
	size_t nseen, capseen;
	size_t *heads; /* index + 1 of the first chain of each slot, a power of two of them */
	size_t capheads;
};

/* The reader's state for one profile. */
struct sck_prof {
	struct sck_diag *diag;
	const char *prefix; /* "linux.seccomp" when reading a runtime config.json, else NULL */
	void (*warn)(void *, const char *);
	void *warn_arg;
	unsigned int flags;
	const struct sck_arch *main_arch;
	const struct sck_arch *arches[SCK_FILTER_MAX_ARCH];
	size_t narch;
	bool arches_given;
	const char *const *caps;
	unsigned int kver[3];
	struct sck_filter *f;
	uint32_t def_action;
	bool def_allow;
	bool def_errno_enosys;
	int maxnr[SCK_FILTER_MAX_ARCH]; /* largest number named, per arch (-1: none) */
	size_t rules;
	struct sck_prof_rules kept;
};

/* ---- profile_json.c ---- */

/*
 * @p written out into @buf (SCK_PROF_PATH_MAX bytes, "" for NULL): each step appended to the
 * path above it and the whole cut to SCK_PROF_PATH_MAX - 1 characters. Returns @buf.
 */
const char *sck_prof_path_str(const struct sck_prof_path *p, char *buf);
/* Record an error at JSON path @path in the diagnostic; returns @rc (-EINVAL when @rc >= 0). */
int sck_prof_fail(struct sck_prof *c, int rc, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* sck_prof_fail at @path, written out. */
int sck_prof_fail_at(struct sck_prof *c, int rc, const struct sck_prof_path *path, const char *fmt,
		     ...) __attribute__((format(printf, 4, 5)));
/* Pass a warning about @path to the caller's callback, if any. */
void sck_prof_warn(struct sck_prof *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* @o (not NULL) must have type @t; @what names it in the message. */
int sck_prof_want(struct sck_prof *c, json_object *o, json_type t, const struct sck_prof_path *path,
		  const char *what);
/* An unsigned 64-bit integer up to @max. */
int sck_prof_get_u64(struct sck_prof *c, json_object *o, const struct sck_prof_path *path,
		     uint64_t max, uint64_t *out);
int sck_prof_get_str(struct sck_prof *c, json_object *o, const struct sck_prof_path *path,
		     const char **out);
/*
 * The members of object @o named by the NULL-terminated @keys, in one pass over @o: @vals[i] is
 * member @keys[i], NULL when absent or null. Warns about every other key of @o.
 */
void sck_prof_members(struct sck_prof *c, json_object *o, const struct sck_prof_path *path,
		      const char *const *keys, json_object **vals);
/* Parse @json strictly: errors carry line and column. */
int sck_prof_parse_json(struct sck_prof *c, const char *json, size_t len, json_object **out);

/* ---- profile_docker.c ---- */

/* Docker's default capability set, NULL-terminated. */
extern const char *const sck_prof_docker_caps[];
/* Add @a to the profile's arches (once). */
int sck_prof_add_arch(struct sck_prof *c, const struct sck_arch *a,
		      const struct sck_prof_path *path);
/* The arches of a profile: its `architectures` (@archs), or archMap's (@map) entry for the main
 * arch; either may be NULL. */
int sck_prof_read_arches(struct sck_prof *c, json_object *archs, json_object *map);
/* "5.15.0-13-amd64" -> {5, 15, 0}; false when it does not start so. */
bool sck_prof_parse_kver(const char *s, unsigned int v[3]);
/* An includes (@inc) or excludes object: 1 when it holds, 0 when not, or -errno. */
int sck_prof_clause(struct sck_prof *c, json_object *o, const struct sck_prof_path *path, bool inc);

/* ---- profile_rules.c ---- */

/* An action name with its errnoRet (may be NULL): the filter return value. */
int sck_prof_get_action(struct sck_prof *c, json_object *act, json_object *errno_obj,
			const struct sck_prof_path *path, const struct sck_prof_path *errno_path,
			uint32_t *out);
/* One element of a rule's `args`. */
int sck_prof_read_cond(struct sck_prof *c, json_object *o, const struct sck_prof_path *path,
		       struct sck_cond *out);
/*
 * Whether @name, not in sck_syscall_names, is a multiplexed call of some arch sck knows (a name
 * in sck_syscall_names is a syscall of some arch: test_name_hash checks the tables).
 */
bool sck_prof_mux_known(const char *name);
/*
 * The ones below take a syscall name with its index in sck_syscall_names
 * (sck_syscall_name_index(@name), -1 for none), hashed once by the caller.
 */
/* libseccomp's bookkeeping of conditional rules: 0, -EEXIST (clash with syscalls[*clash]). */
int sck_prof_check_conflict(struct sck_prof *c, int name_idx, uint32_t action,
			    const struct sck_cond *conds, size_t n, size_t idx, size_t *clash);
/* sck_prof_add_rule of a rule without conditions: one rule for all arches. */
int sck_prof_add_plain(struct sck_prof *c, const char *name, int name_idx, uint32_t action);
/* Add one rule as libseccomp would: one per arch where the arches differ. */
int sck_prof_add_rule(struct sck_prof *c, const char *name, int name_idx, uint32_t action,
		      const struct sck_cond *conds, size_t n);
/* Release what sck_prof_check_conflict and sck_prof_add_rule kept. */
void sck_prof_names_free(struct sck_prof *c);
/* runc's -ENOSYS stub for numbers above the largest named. */
int sck_prof_enosys_stub(struct sck_prof *c);

#endif
