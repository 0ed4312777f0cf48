/* SPDX-License-Identifier: MIT */
/* Evaluates libseccomp's pseudo filter code on one seccomp_data (see pfc_eval.c). */
#ifndef SCK_TEST_PFC_EVAL_H
#define SCK_TEST_PFC_EVAL_H

#include <linux/seccomp.h>
#include <stdint.h>

/* 1 and *out (the action) when the code returns one; 0 when it falls off the end; -1 on text it
 * cannot read. */
int pfc_eval(const char *text, const struct seccomp_data *d, uint32_t *out);

#endif
