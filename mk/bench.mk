# SPDX-License-Identifier: MIT
# bench/bench_compile.c reads Docker's profile with json-c.
BENCH_LIBS += -ljson-c
# bench/bench_agent.c runs runc containers against `sck agent` (root, runc, busybox-static; it
# skips otherwise) and needs the sck binary of this build.
$(BUILD)/bench/bench_agent: CPPFLAGS_ALL += -DSCK_BENCH_SCK='"$(abspath $(BUILD)/sck)"'
$(BUILD)/bench/bench_agent: $(BUILD)/sck
