# SPDX-License-Identifier: MIT
# The libseccomp compatibility library (issue 13): compat/*.c, compiled against the system's
# <seccomp.h> (libseccomp-dev) and linked with libsck's objects into build/compat/libseccomp.so.2
# (soname libseccomp.so.2), exporting only libseccomp 2.5.4's functions (compat/libseccomp.map).
# The pseudo syscall numbers (__PNR_*) come from the system's <seccomp-syscalls.h> at build time.
# `make install` puts it in LIBDIR/sck-compat/, where it shadows nothing by accident.

.DEFAULT_GOAL := all

COMPAT_SRC := $(sort $(wildcard compat/*.c))
# libseccomp's pseudo filter code, the oracle of its database (tests/diff/test_diff_libseccomp.c)
TEST_EXTRA_SRC += tests/compat/pfc_eval.c
COMPAT_PNR := $(BUILD)/gen/compat_pnr.c
COMPAT_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(COMPAT_SRC)) $(BUILD)/gen/compat_pnr.o
COMPAT_LIB := $(BUILD)/compat/libseccomp.so.2
SECCOMP_SYSCALLS_H ?= /usr/include/seccomp-syscalls.h

$(COMPAT_PNR): $(SECCOMP_SYSCALLS_H) mk/compat.mk
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)awk '$$1 == "#define" && $$2 ~ /^__PNR_/ && $$3 ~ /^-[0-9]+$$/ { print substr($$2, 7), $$3 }' \
		$< | LC_ALL=C sort -k1,1 | awk 'BEGIN { \
		print "/* generated from $(SECCOMP_SYSCALLS_H) by mk/compat.mk, do not edit */"; \
		print "#include <stddef.h>"; \
		print "struct compat_pnr { const char *name; int nr; };"; \
		print "extern const struct compat_pnr sck_compat_pnr[];"; \
		print "extern const size_t sck_compat_npnr;"; \
		print "extern const struct compat_pnr sck_compat_pnr_bynr[];"; \
		print "/* sorted by name (strcmp order) */"; \
		print "const struct compat_pnr sck_compat_pnr[] = {"; n = 0 } \
		{ printf "\t{\"%s\", %s},\n", $$1, $$2; n++ } \
		END { print "};"; printf "const size_t sck_compat_npnr = %d;\n", n }' > $@.tmp
	$(Q)awk '$$1 == "#define" && $$2 ~ /^__PNR_/ && $$3 ~ /^-[0-9]+$$/ { print substr($$2, 7), $$3 }' \
		$< | LC_ALL=C sort -k2,2n -k1,1 | awk 'BEGIN { \
		print "/* the same, sorted by number (ascending), then name */"; \
		print "const struct compat_pnr sck_compat_pnr_bynr[] = {" } \
		{ printf "\t{\"%s\", %s},\n", $$1, $$2 } END { print "};" }' >> $@.tmp && mv $@.tmp $@
.SECONDARY: $(COMPAT_PNR)

# (LIB_OBJ is defined after mk/*.mk are read: depend on libsck.a, link its objects)
$(COMPAT_LIB): $(COMPAT_OBJ) $(BUILD)/libsck.a compat/libseccomp.map
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libseccomp.so.2 -Wl,--version-script=compat/libseccomp.map \
		-Wl,--no-undefined -Wl,-Bsymbolic $(LDFLAGS_ALL) -o $@ $(COMPAT_OBJ) $(LIB_OBJ) $(LIB_LIBS)
	ln -sf libseccomp.so.2 $(BUILD)/compat/libseccomp.so

all: $(COMPAT_LIB)

.PHONY: install-compat
install: install-compat
install-compat: $(COMPAT_LIB)
	install -d $(DESTDIR)$(LIBDIR)/sck-compat
	install -m 755 $(COMPAT_LIB) $(DESTDIR)$(LIBDIR)/sck-compat/libseccomp.so.2
	ln -sf libseccomp.so.2 $(DESTDIR)$(LIBDIR)/sck-compat/libseccomp.so

# The differential program (tests/compat/): built against <seccomp.h> with -lseccomp, run by
# tests/diff/test_diff_compat.c with the system's libseccomp and with $(COMPAT_LIB).
COMPAT_DIFF := $(BUILD)/tests/compat-diff
COMPAT_CLIENT := $(BUILD)/tests/compat-client
COMPAT_TEST_CFLAGS = $(CPPFLAGS_ALL) -Itests/compat $(filter-out -fPIC,$(CFLAGS_ALL)) $(LDFLAGS_ALL)

$(COMPAT_DIFF): tests/compat/compat_diff.c tests/compat/pfc_eval.c tests/compat/pfc_eval.h \
		$(BUILD)/libsck.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(COMPAT_TEST_CFLAGS) -o $@ tests/compat/compat_diff.c tests/compat/pfc_eval.c \
		$(BUILD)/libsck.a $(LIB_LIBS) -lseccomp

$(COMPAT_CLIENT): tests/compat/client.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(filter-out -fPIC,$(CFLAGS_ALL)) -D_GNU_SOURCE $(LDFLAGS_ALL) -o $@ $< -lseccomp

# the cases libseccomp's regression suite found (tools/lsc-regress.sh): verdicts by sck's emulator
COMPAT_REGRESS := $(BUILD)/tests/compat-regress
$(COMPAT_REGRESS): tests/compat/regress_cases.c $(BUILD)/libsck.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(COMPAT_TEST_CFLAGS) -D_GNU_SOURCE -o $@ $< $(BUILD)/libsck.a $(LIB_LIBS) -lseccomp

# (TEST_BIN is defined after mk/*.mk are read: name it)
$(BUILD)/tests/sck-test: $(COMPAT_DIFF) $(COMPAT_CLIENT) $(COMPAT_LIB) $(COMPAT_REGRESS)

# runc with the compat library (tests/compat/runc.sh): the static probe run in the container
# and the helper that writes the bundle's config and exports runc's program.
COMPAT_PROBE := $(BUILD)/tests/compat-probe
COMPAT_RUNC_TOOL := $(BUILD)/tests/compat-runc-tool

$(COMPAT_PROBE): tests/compat/probe.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) -std=c11 $(WARN) -O2 -static -o $@ $<

$(COMPAT_RUNC_TOOL): tests/compat/runc_tool.c tests/compat/oci_seq.c tests/compat/oci_seq.h \
		tests/lib/sck_test_lsc.c tests/lib/sck_test_lsc.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(COMPAT_TEST_CFLAGS) -Itests/lib -o $@ tests/compat/runc_tool.c \
		tests/compat/oci_seq.c tests/lib/sck_test_lsc.c -lseccomp -ljson-c

$(BUILD)/tests/sck-test: $(COMPAT_PROBE) $(COMPAT_RUNC_TOOL)

# `make tidy` covers compat/ too
.PHONY: tidy-compat
tidy: tidy-compat
tidy-compat: $(VERSION_H)
	clang-tidy --quiet $(COMPAT_SRC) -- $(CPPFLAGS_ALL) -std=c11
