# SPDX-License-Identifier: MIT
# Profiles (issue 5): the reader links json-c, and profiles/default.json is embedded in libsck as
# a C string by an awk step (awk is POSIX; no xxd needed).

.DEFAULT_GOAL := all

PROFILE_DEFAULT := profiles/default.json
PROFILE_GEN := $(BUILD)/gen/profile_default.c

GEN_SRC += $(PROFILE_GEN)
LIB_LIBS += -ljson-c

$(PROFILE_GEN): $(PROFILE_DEFAULT) mk/profile.mk
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)awk 'BEGIN { print "/* generated from $(PROFILE_DEFAULT) by mk/profile.mk, do not edit */"; \
		print "#include <stddef.h>"; \
		print "extern const char sck_profile_default_json[];"; \
		print "extern const size_t sck_profile_default_len;"; \
		print "const char sck_profile_default_json[] ="; n = 0 } \
		{ s = $$0; gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); \
		  printf "\t\"%s\\n\"\n", s; n += length($$0) + 1 } \
		END { print "\t\"\";"; printf "const size_t sck_profile_default_len = %d;\n", n }' \
		$< > $@.tmp && mv $@.tmp $@
.SECONDARY: $(PROFILE_GEN)

# `make` installs the build dependencies (json-c) before compiling the reader.
$(BUILD)/.deps-build: tools/deps.sh
	@mkdir -p $(dir $@)
	@sh tools/deps.sh build && touch $@
$(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard src/profile/*.c)): | $(BUILD)/.deps-build
