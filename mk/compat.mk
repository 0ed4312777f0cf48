# SPDX-License-Identifier: MIT
# The libseccomp compatibility library (issue 13): compat/*.c, compiled against the system's
# <seccomp.h> (libseccomp-dev) and linked with libsck's objects into build/compat/libseccomp.so.2
# (soname libseccomp.so.2), exporting only libseccomp 2.5.4's functions (compat/libseccomp.map).
# The pseudo syscall numbers (__PNR_*) come from the system's <seccomp-syscalls.h> at build time.
# `make install` puts it in LIBDIR/sck-compat/, where it shadows nothing by accident.

.DEFAULT_GOAL := all

COMPAT_SRC := $(sort $(wildcard compat/*.c))
COMPAT_PNR := $(BUILD)/gen/compat_pnr.c
COMPAT_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(COMPAT_SRC)) $(BUILD)/gen/compat_pnr.o
COMPAT_LIB := $(BUILD)/compat/libseccomp.so.2
SECCOMP_SYSCALLS_H ?= /usr/include/seccomp-syscalls.h

$(COMPAT_PNR): $(SECCOMP_SYSCALLS_H) mk/compat.mk
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)awk 'BEGIN { print "/* generated from $(SECCOMP_SYSCALLS_H) by mk/compat.mk, do not edit */"; \
		print "#include <stddef.h>"; \
		print "struct compat_pnr { const char *name; int nr; };"; \
		print "extern const struct compat_pnr sck_compat_pnr[];"; \
		print "extern const size_t sck_compat_npnr;"; \
		print "const struct compat_pnr sck_compat_pnr[] = {"; n = 0 } \
		$$1 == "#define" && $$2 ~ /^__PNR_/ && $$3 ~ /^-[0-9]+$$/ { \
		  printf "\t{\"%s\", %s},\n", substr($$2, 7), $$3; n++ } \
		END { print "};"; printf "const size_t sck_compat_npnr = %d;\n", n }' $< > $@.tmp && mv $@.tmp $@
.SECONDARY: $(COMPAT_PNR)

$(COMPAT_LIB): $(COMPAT_OBJ) $(LIB_OBJ) compat/libseccomp.map
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libseccomp.so.2 -Wl,--version-script=compat/libseccomp.map \
		-Wl,--no-undefined $(LDFLAGS_ALL) -o $@ $(COMPAT_OBJ) $(LIB_OBJ) $(LIB_LIBS)
	ln -sf libseccomp.so.2 $(BUILD)/compat/libseccomp.so

all: $(COMPAT_LIB)

.PHONY: install-compat
install: install-compat
install-compat: $(COMPAT_LIB)
	install -d $(DESTDIR)$(LIBDIR)/sck-compat
	install -m 755 $(COMPAT_LIB) $(DESTDIR)$(LIBDIR)/sck-compat/libseccomp.so.2
	ln -sf libseccomp.so.2 $(DESTDIR)$(LIBDIR)/sck-compat/libseccomp.so
