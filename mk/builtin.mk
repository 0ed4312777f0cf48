# SPDX-License-Identifier: MIT
# `sck run` without -p loads the built-in profile compiled at build time (issue 6: <= 1 ms over
# the command): tools/gen_builtin.c, linked with the freshly built libsck.a, compiles
# profiles/default.json as `sck run` would and prints the program as C; the object goes into the
# sck binary and the test binary (which checks it against a compile at run time).

BUILTIN_GEN := $(BUILD)/tools/gen_builtin
BUILTIN_C := $(BUILD)/gen/builtin_prog.c
BUILTIN_OBJ := $(BUILD)/obj/gen/builtin_prog.o

$(BUILTIN_GEN): tools/gen_builtin.c $(BUILD)/libsck.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(filter-out -fPIC,$(CFLAGS_ALL)) $(LDFLAGS_ALL) -o $@ $< \
		$(BUILD)/libsck.a $(LIB_LIBS)

$(BUILTIN_C): $(BUILTIN_GEN)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)$(BUILTIN_GEN) > $@.tmp && mv $@.tmp $@

$(BUILTIN_OBJ): $(BUILTIN_C)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c $< -o $@

# The sck binary is linked statically (libc, json-c): a dynamic sck spent ~1.5 ms of `sck run` in
# the loader (mapping and relocating libc and libjson-c). Not under SANITIZE=1 (the sanitizers
# need the dynamic runtime); SCK_STATIC=0 links dynamically.
ifeq ($(SANITIZE),1)
SCK_STATIC ?= 0
else
SCK_STATIC ?= 1
endif
ifeq ($(SCK_STATIC),1)
SCK_LDFLAGS := -static
endif
