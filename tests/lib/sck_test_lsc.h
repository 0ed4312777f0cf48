/* SPDX-License-Identifier: MIT */
/*
 * libseccomp as runc drives it, for the benchmarks and the differential tests: an OCI / Docker
 * profile read into the rule list runc hands libseccomp (Docker's includes/excludes for amd64
 * with its default capabilities and the running kernel, archMap or architectures, rules with the
 * default action dropped, names libseccomp cannot resolve skipped, repeated argument indexes
 * split into one rule per condition), then a libseccomp filter built from it at an optimization
 * level and exported to memory. Plain C (no Criterion): bench/ and the runc tools of
 * tests/compat/ link it too; sck_test_lsc.c needs only libseccomp and json-c, what needs libsck
 * (both builds of one profile, sck's arches) lives in sck_test_lsc_pair.c.
 */
#ifndef SCK_TEST_LSC_H
#define SCK_TEST_LSC_H

#include <json-c/json.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>

struct sck_arch;

/* One rule as runc hands it to libseccomp. */
struct sck_test_lsc_rule {
	int nr; /* libseccomp's pseudo-number of the name (native arch) */
	uint32_t action;
	struct scmp_arg_cmp conds[6];
	unsigned int n;
};

/* A profile read as runc reads it: default action, extra arches, rules. */
struct sck_test_lsc_profile {
	uint32_t def;
	uint32_t arches[16]; /* libseccomp tokens added to the native one */
	size_t narch;
	struct sck_test_lsc_rule *rules;
	size_t nrules;
};

/* A kernel newer than every minKernel of Docker's profiles (sck_test_lsc_docker_keeps). */
#define SCK_TEST_LSC_KERNEL_RECENT "1000.0"

/*
 * Whether the syscalls[] entry @s applies for Docker on amd64 with its default capabilities and
 * kernel @kernel ("6.1"; NULL: the running one): its includes / excludes.
 */
bool sck_test_lsc_docker_keeps(json_object *s, const char *kernel);

/*
 * runc's action for @o's @akey ("SCMP_ACT_ERRNO" ...; absent: kill the thread) with the errno
 * in @ekey, @dflt when absent (runc: EPERM, 1).
 */
uint32_t sck_test_lsc_action(json_object *o, const char *akey, const char *ekey, uint32_t dflt);

/* runc's operator for "SCMP_CMP_EQ" ...; _SCMP_CMP_MIN for anything else (libseccomp refuses). */
enum scmp_compare sck_test_lsc_op(const char *op);

/* "SCMP_ARCH_X86_64" -> "x86_64" (libseccomp's spelling) in @out (@n bytes, NUL-terminated). */
void sck_test_lsc_arch_name(const char *oci, char *out, size_t n);

/* How sck_test_lsc_rules walks a profile's "syscalls" and where the rules go. */
struct sck_test_lsc_walk {
	uint32_t def;	    /* the default action: runc skips the entries with it */
	uint32_t errnum;    /* errnoRet when absent (runc: 1) */
	bool docker;	    /* skip the entries Docker drops (sck_test_lsc_docker_keeps) */
	const char *kernel; /* with docker: the kernel version (NULL: running) */
	int (*resolve)(const char *name); /* a name's number, __NR_SCMP_ERROR: skipped */
	/* one rule; a nonzero return stops the walk */
	int (*add)(void *arg, uint32_t action, int nr, unsigned int n,
		   const struct scmp_arg_cmp *conds);
	void *arg;
};

/*
 * The rules runc makes of @root's "syscalls": per entry its action and conditions (six at most),
 * per name one rule, or one rule per condition when the entry repeats an argument index; names
 * @w->resolve does not know are skipped, as runc does. Returns 0 or @w->add's first nonzero.
 */
int sck_test_lsc_rules(json_object *root, const struct sck_test_lsc_walk *w);

/* Read @json (@len bytes). Returns 0, -EINVAL (not a profile), -ENOMEM. */
int sck_test_lsc_profile_read(const char *json, size_t len, struct sck_test_lsc_profile *out);

/* Free what sck_test_lsc_profile_read allocated in @p, and zero it. */
void sck_test_lsc_profile_fini(struct sck_test_lsc_profile *p);

/*
 * A libseccomp filter of @p at optimization level @opt (SCMP_FLTATR_CTL_OPTIMIZE; 0 leaves the
 * default). Returns 0 and *out, or the first libseccomp error (a refused rule: -EEXIST ...).
 */
int sck_test_lsc_ctx(const struct sck_test_lsc_profile *p, int opt, scmp_filter_ctx *out);

/* seccomp_export_bpf through a memfd: *prog malloc'd, *len instructions. Returns 0 or -errno. */
int sck_test_lsc_export(scmp_filter_ctx ctx, struct sock_filter **prog, size_t *len);

/* sck_test_lsc_ctx + sck_test_lsc_export + seccomp_release. */
int sck_test_lsc_build(const struct sck_test_lsc_profile *p, int opt, struct sock_filter **prog,
		       size_t *len);

/* Read a whole file, NUL-terminated (malloc'd); NULL when unreadable. */
char *sck_test_lsc_slurp(const char *path, size_t *len);

/* ---- sck_test_lsc_pair.c (needs libsck): one profile built by sck and by libseccomp ---- */

struct sck_filter;
struct sck_filter_prog;
struct sck_profile_arg_rule;

/* A profile compiled by sck and, as runc does, by libseccomp -O2. */
struct sck_test_lsc_pair {
	char name[64]; /* the file's name without its directory and ".json" */
	char *json;
	size_t len;
	int parse_rc; /* sck_profile_parse */
	struct sck_filter *f;
	struct sck_filter_prog *p;
	int sck_rc;   /* parse_rc, or sck_filter_compile's */
	int rules_rc; /* sck_profile_arg_rules_alloc (-EINVAL: not parsed) */
	struct sck_profile_arg_rule *rules;
	size_t nrules;
	int read_rc; /* sck_test_lsc_profile_read */
	struct sck_test_lsc_profile lp;
	int lsc_rc; /* read_rc, or sck_test_lsc_build's */
	struct sock_filter *l;
	size_t llen;
	const struct sck_arch *arches[3]; /* sck_test_lsc_sck_arches */
	size_t narch;
};

/*
 * Read @path and build it both ways into @b (every _rc says how a step went). Returns 0, or
 * -ENOENT when @path is unreadable (@b is then empty).
 */
int sck_test_lsc_pair_load(const char *path, struct sck_test_lsc_pair *b);

/* Free what sck_test_lsc_pair_load allocated in @b. */
void sck_test_lsc_pair_free(struct sck_test_lsc_pair *b);

/* sck's arches for @p, the native one first, then x86 and x32 where @p adds them, in @out (room
 * for 3). Returns how many. */
size_t sck_test_lsc_sck_arches(const struct sck_test_lsc_profile *p, const struct sck_arch **out);

/* Whether libseccomp knows syscall @name on @a (x86_64, x32 or x86); true for NULL @name. */
bool sck_test_lsc_knows(const struct sck_arch *a, const char *name);

#endif /* SCK_TEST_LSC_H */
