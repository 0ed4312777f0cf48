/* SPDX-License-Identifier: MIT */
/*
 * sck: a seccomp toolkit. The umbrella header: include this one and get every module of libsck.
 */
#ifndef SCK_H
#define SCK_H

#include "sck/version.h"
#include "sck/sys.h"
#include "sck/arch.h"
#include "sck/syscalls.h"
#include "sck/bpf.h"
#include "sck/filter.h"
#include "sck/profile.h"

#endif /* SCK_H */
