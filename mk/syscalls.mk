# SPDX-License-Identifier: MIT
# Syscall tables (issue 3): src/syscalls/syscalls.csv -> $(BUILD)/gen/syscalls_tab.c at build
# time, through a small C program built for the build machine (no python, no awk needed).
# `make check-tables` compares the CSV with this machine's UAPI <asm/unistd*.h>.

# mk/*.mk is read before the Makefile names `all`: keep `all` the default goal.
.DEFAULT_GOAL := all

SYSCALLS_CSV := src/syscalls/syscalls.csv
SYSCALLS_GEN := $(BUILD)/gen/syscalls_tab.c
SYSCALLS_GENTOOL := $(BUILD)/gen/gen-syscall-tables
HOSTCC ?= $(CC)

GEN_SRC += $(SYSCALLS_GEN)

$(SYSCALLS_GENTOOL): tools/gen-syscall-tables.c src/syscalls_int.h include/sck/syscalls.h \
		include/sck/arch.h
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) -std=c11 -O1 -D_GNU_SOURCE $(WARN) -Iinclude -Isrc -o $@ $<

$(SYSCALLS_GEN): $(SYSCALLS_CSV) $(SYSCALLS_GENTOOL)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)$(SYSCALLS_GENTOOL) $(SYSCALLS_CSV) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c $(VERSION_H)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

-include $(wildcard $(BUILD)/gen/*.d)

.PHONY: check-tables
check-tables:
	@sh tools/check-tables $(SYSCALLS_CSV)
.SECONDARY: $(SYSCALLS_GEN)
