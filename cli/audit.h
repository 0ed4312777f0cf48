/* SPDX-License-Identifier: MIT */
/*
 * `sck audit` internals: the evaluation of a program (every arch token, every syscall number,
 * argument values derived from the program's own constants, through the library's emulator),
 * the curated tables the checks read (equivalent calls, dangerous calls, pointer arguments),
 * the findings list and its text and JSON output. The split: audit_eval.c runs the program,
 * audit_checks.c turns what it saw into findings, audit_profile.c adds the checks that need the
 * profile's rules, audit_data.c holds the tables, audit_out.c prints, cmd_audit.c drives.
 */
#ifndef SCK_CLI_AUDIT_H
#define SCK_CLI_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/* ---- Evaluation ------------------------------------------------------------------------- */

/* seccomp_data as 16 32-bit words: 0 nr, 1 arch, 2-3 instruction_pointer, 4-15 args. */
#define AUDIT_WORDS 16

/* Action classes, as bits of a mask. */
enum {
	AUDIT_ALLOW = 1u << 0, /* ALLOW and LOG: the call runs */
	AUDIT_ERRNO = 1u << 1,
	AUDIT_ENOSYS = 1u << 2, /* ERRNO(ENOSYS): a libc falls back */
	AUDIT_TRAP = 1u << 3,
	AUDIT_TRACE = 1u << 4,
	AUDIT_NOTIF = 1u << 5,
	AUDIT_KILL_THREAD = 1u << 6,
	AUDIT_KILL_PROCESS = 1u << 7,
};

/* What every evaluation of one (arch token, nr[, fixed words]) showed. */
struct audit_sum {
	uint16_t actions;     /* AUDIT_* classes returned by some argument values */
	bool all_allow;	      /* every value tried was allowed */
	uint16_t cmp_words;   /* words compared (bit w: word w) on some path */
	uint16_t cmp_nonzero; /* words compared with a non-zero constant */
	uint32_t runs;	      /* emulator runs spent */
};

/* Everything the program did for one arch (one ABI). */
struct audit_arch_view {
	const struct sck_arch *arch; /* NULL for the made-up token of no arch */
	uint32_t token;
	bool named;		/* the program compares the arch word with this token */
	bool handled;		/* some number of this ABI reaches ALLOW */
	size_t n;		/* entries of the arch's syscall table */
	struct audit_sum *sys;	/* per table entry (sck_syscall_at order) */
	struct audit_sum above; /* the first numbers above the table's highest */
	struct audit_sum other; /* every other number tried (constants of the program) */
	uint16_t common;	/* the actions most of the table's calls get: the default */
};

struct audit_prog {
	const struct sock_filter *insns;
	size_t len;
	struct sck_bpf_emu *emu;
	bool *executed; /* per instruction: run by some evaluation */
	uint16_t *path; /* scratch, len entries */
	struct audit_arch_view *views;
	size_t nviews;
	uint32_t runs;	   /* total emulator runs */
	uint64_t only_ids; /* -a: bit per sck_arch_id the per-arch checks run for; 0: all */
	/* --pid: the older filters of the stack (oldest first), run with this one on every
	 * evaluation; owned by the caller, each prepared with audit_prog_init */
	struct audit_prog *stack;
	size_t nstack;
};

/* The token no arch has, for the "no arch check" probe. */
#define AUDIT_BOGUS_TOKEN 0x0badc0deu

/*
 * Evaluate @insns (validated by the caller) on every arch token and syscall number. Returns 0 or
 * -ENOMEM / -EINVAL (the emulator refused the program).
 */
int audit_prog_eval(struct audit_prog *p, const struct sock_filter *insns, size_t len);

/*
 * The same for a stack: @insns is the newest filter, @stack the @nstack older ones (oldest
 * first, prepared with audit_prog_init), evaluated as the kernel evaluates a stack.
 */
int audit_prog_eval_stack(struct audit_prog *p, const struct sock_filter *insns, size_t len,
			  struct audit_prog *stack, size_t nstack);

/* Prepare @p for runs without evaluating (for audit_same_verdicts). Returns 0 or -errno. */
int audit_prog_init(struct audit_prog *p, const struct sock_filter *insns, size_t len);

/*
 * Whether @a and @b return the same for syscall @nr under @token, over the argument values
 * either program's constants lead to.
 */
bool audit_same_verdicts(struct audit_prog *a, struct audit_prog *b, uint32_t token, uint32_t nr);
void audit_prog_fini(struct audit_prog *p);

/*
 * One more evaluation of @nr under @v's token with argument words fixed: word w of @fixed is
 * used for each bit of @fixed_mask and never varied. Fills @out.
 */
void audit_eval_fixed(struct audit_prog *p, const struct audit_arch_view *v, uint32_t nr,
		      const uint32_t *fixed, uint16_t fixed_mask, struct audit_sum *out);

/* The view of arch @id, or NULL when the program has none (x32: the x86_64 token's numbers). */
const struct audit_arch_view *audit_view(const struct audit_prog *p, enum sck_arch_id id);

/* The summary of syscall @name on @v, or NULL when @v's arch has no such syscall. */
const struct audit_sum *audit_sys(const struct audit_arch_view *v, const char *name);

/* Word index of the low (@high false) or high half of args[@arg] on @arch. */
unsigned int audit_arg_word(const struct sck_arch *arch, unsigned int arg, bool high);

/* ---- Tables (audit_data.c) ---------------------------------------------------------------- */

enum audit_sev { AUDIT_INFO = 0, AUDIT_LOW = 1, AUDIT_MEDIUM = 2, AUDIT_HIGH = 3 };

/* Rows of equivalent calls. */
enum audit_equiv_kind {
	/* a member denied for every argument while another member is allowed */
	AUDIT_EQ_DENY = 1,
	/* a @from member restricted (denied for some arguments) while a @to member is allowed
	 * whatever its arguments */
	AUDIT_EQ_RESTRICT = 2,
};

struct audit_equiv {
	const char *label;
	enum audit_equiv_kind kind;
	enum audit_sev sev;
	const char *const *from; /* NULL-terminated */
	const char *const *to;	 /* NULL-terminated; NULL: the same as @from */
	const char *why;
};

/* Dangerous calls; with @arg >= 0 "allowed" means allowed with args[@arg] == @value. */
struct audit_danger {
	const char *name;
	enum audit_sev sev;
	int arg;
	uint64_t value;
	const char *why;
};

/* Which arguments of a syscall are user-space pointers (bit i: args[i]). */
struct audit_ptr {
	const char *name;
	uint8_t mask;
};

extern const struct audit_equiv audit_equivs[];
extern const size_t audit_nequivs;
extern const struct audit_danger audit_dangers[];
extern const size_t audit_ndangers;
extern const struct audit_ptr audit_ptrs[];
extern const size_t audit_nptrs;
/* socket(2)-family and SysV IPC calls, reachable through socketcall(2)/ipc(2) on some ABIs */
extern const char *const audit_mux_calls[];

/* ---- Findings ------------------------------------------------------------------------------ */

struct audit_finding {
	enum audit_sev sev;
	const char *id;
	char *syscalls; /* comma-separated ("" for none) */
	char *arches;	/* comma-separated */
	char *expl;
	char *fix;
	char *where; /* instruction indices or JSON paths ("" for none) */
	int filter;  /* --pid: the kernel's index of the filter; else -1 */
};

struct audit_report {
	struct audit_finding *f;
	size_t n, cap;
	bool oom;
	int filter; /* stamped on each finding added (-1: not a stack) */
};

/*
 * Add a finding; one with the same id, syscalls, explanation and place gets @arch appended
 * instead. @arch may be NULL. The strings are copied.
 */
void audit_add(struct audit_report *r, enum audit_sev sev, const char *id, const char *syscalls,
	       const char *arch, const char *where, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
void audit_report_fini(struct audit_report *r);
/* Sort by severity (highest first), then id. */
void audit_report_sort(struct audit_report *r);

const char *audit_sev_name(enum audit_sev s);
/* Parse "high", "medium", "low", "info"; -1 when unknown. */
int audit_sev_parse(const char *s);

/* A growing comma-separated list. */
struct audit_list {
	char *s;
	size_t len, cap;
};
void audit_list_add(struct audit_list *l, const char *item);
void audit_list_addf(struct audit_list *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *audit_list_str(const struct audit_list *l);
void audit_list_fini(struct audit_list *l);

/* A syscall as people name it on @arch: "x32:execve" off the native arch's family. */
void audit_sys_label(char *buf, size_t cap, const struct sck_arch *arch, const char *name);

/* ---- Checks ------------------------------------------------------------------------------ */

/* The checks on the program (audit_checks.c). */
void audit_check_prog(struct audit_prog *p, struct audit_report *r);

/*
 * The checks on a profile's rules (audit_profile.c): @json the profile object's text, @path
 * where it came from; @p the compiled program's evaluation; @opts how it was parsed.
 * Returns 0 or -ENOMEM.
 */
int audit_check_profile(const char *json, size_t len, const struct sck_profile_opts *opts,
			struct audit_prog *p, struct audit_report *r);

/* ---- Output ------------------------------------------------------------------------------ */

/* Print @r as text (with a header naming @what) or one JSON document to stdout. */
void audit_print(const struct audit_report *r, const char *what, const char *kind, bool json,
		 enum audit_sev fail_on);

#endif
