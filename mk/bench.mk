# SPDX-License-Identifier: MIT
# bench/bench_compile.c reads Docker's profile with json-c.
BENCH_LIBS += -ljson-c
