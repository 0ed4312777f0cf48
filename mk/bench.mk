# SPDX-License-Identifier: MIT
# bench/bench_compile.c reads Docker's profile with json-c.
BENCH_LIBS += -ljson-c
# bench/bench_agent.c runs runc containers against `sck agent` (root, runc, busybox-static; it
# skips otherwise) and needs the sck binary of this build.
$(BUILD)/bench/bench_agent: CPPFLAGS_ALL += -DSCK_BENCH_SCK='"$(abspath $(BUILD)/sck)"'
$(BUILD)/bench/bench_agent: $(BUILD)/sck

# bench/bench_compat.c (issue 13): runc's libseccomp calls for Docker's profile through the
# compat library (dlopen'ed from build/compat) and through libseccomp; it shares runc's call
# sequence with tests/compat/.
$(BUILD)/bench/bench_compat: bench/bench_compat.c tests/compat/oci_seq.c tests/compat/oci_seq.h \
		tests/lib/sck_test_lsc.c tests/lib/sck_test_lsc.h \
		$(BUILD)/libsck.a $(BUILD)/compat/libseccomp.so.2
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS_ALL) -Ibench -Itests/lib -Itests/compat \
		-DSCK_TEST_SHARED_DIR='"$(SHARED_DIR)"' $(filter-out -fPIC,$(CFLAGS_ALL)) \
		$(LDFLAGS_ALL) -o $@ $< tests/compat/oci_seq.c tests/lib/sck_test_lsc.c $(BUILD)/libsck.a $(LIB_LIBS) \
		-lseccomp -ldl -lm $(BENCH_LIBS)
