/* SPDX-License-Identifier: MIT */
/*
 * What the filter layer tells the profile reader about OCI mode (SCK_FILTER_OCI), so that the
 * reader can mirror runc's and libseccomp's bookkeeping of a profile's rules (which rules count,
 * which conditions a rule keeps on an arch) without the filter's internals. Each answer is coded
 * here once; the compiler follows the same answers. Internal to libsck: not installed.
 */
#ifndef SCK_FILTER_PROFILE_H
#define SCK_FILTER_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "sck/filter.h"

/*
 * sck_filter_drops_action - whether @f drops a rule that returns @action instead of keeping it:
 * in OCI mode a rule whose action is the filter's default action (runc skips it before anything
 * else, libseccomp would refuse it). sck_filter_add_rule accepts such a rule and stores nothing.
 */
bool sck_filter_drops_action(const struct sck_filter *f, uint32_t action);

/*
 * sck_filter_arch_wide - whether @f compares arguments on @arch as 64-bit values (conditions
 * without SCK_COND_LOW32). The kernel hands seccomp 64-bit registers on every 64-bit audit arch,
 * but in OCI mode x32 and mips n32 (struct sck_arch's @long_bits 32) compare 32 bits, as
 * libseccomp does with the ABIs whose long is 32 bits wide.
 */
bool sck_filter_arch_wide(const struct sck_filter *f, const struct sck_arch *arch);

/*
 * sck_filter_add_rule_at - sck_filter_add_rule for a caller that has looked the rule's name up
 * already: @name_idx is sck_syscall_name_index(@rule->name) (ignored when the rule has no name).
 * The profile reader resolves every name once, before the rule is added.
 */
int sck_filter_add_rule_at(struct sck_filter *f, const struct sck_rule *rule, int name_idx);

#endif
