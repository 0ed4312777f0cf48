# SPDX-License-Identifier: MIT
# Argument probes (issue 12): cli/probes.c serves `sck compile --stats`, the tests and
# bench/bench_args.c; tests/lib/sck_test_lsc.c (libseccomp as runc drives it) serves the tests
# and the benchmarks.
TEST_EXTRA_SRC += cli/probes.c
BENCH_HELPER_SRC += cli/probes.c tests/lib/sck_test_lsc.c tests/lib/sck_test_lsc_pair.c
$(BUILD)/obj/tests/%.o: CPPFLAGS_ALL += -iquote cli
