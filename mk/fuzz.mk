# SPDX-License-Identifier: MIT
# libFuzzer targets (issue 7): every fuzz/fuzz_*.c is one target, built with clang
# -fsanitize=fuzzer,address,undefined into build/fuzz/ with the library compiled the same way.
#   make fuzz [FUZZ_SECONDS=60]  build, then run each target for FUZZ_SECONDS on a copy of its
#                                seed corpus (fuzz/corpus/TARGET -> build/fuzz/corpus/TARGET);
#                                a crash stops with the reproducer in build/fuzz/artifacts/
#   make fuzz-build              only build
#   make fuzz-cov                line coverage of src/ reached by the corpora (llvm-cov), built
#                                without sanitizers into build/fuzz-cov/
# A finding is replayed with `build/fuzz/TARGET FILE` and becomes a regression test.

# mk/*.mk is read before the Makefile names `all`: keep `all` the default goal.
.DEFAULT_GOAL := all

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_ARGS ?=
FUZZ_DIR := build/fuzz
FUZZ_COV_DIR := build/fuzz-cov
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_TARGETS := $(patsubst fuzz/%.c,%,$(FUZZ_SRC))
FUZZ_BIN := $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))
FUZZ_COV_BIN := $(addprefix $(FUZZ_COV_DIR)/,$(FUZZ_TARGETS))
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=c11 $(WARN) -g -O1 -D_GNU_SOURCE
FUZZ_LIB_OBJ = $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(LIB_SRC) $(GEN_SRC))
FUZZ_COV_LIB_OBJ = $(patsubst %.c,$(FUZZ_COV_DIR)/obj/%.o,$(LIB_SRC) $(GEN_SRC))
FUZZ_COV_FLAGS := -fprofile-instr-generate -fcoverage-mapping
# Compare tracing (trace-cmp) only where compares meet input values. The emulator runs hundreds
# of times per input in the compiler and profile targets, and the tree planner and the builder's
# label resolution compare weights, costs and offsets: tracing them took more than half of those
# targets' time and guides nothing the inputs do not already control. The compiler's IR and the
# compiler target's harness compare rule operands that the harness draws from a table, or
# numbers it builds itself (its probes): a third of that target's time. Edge coverage stays.
FUZZ_NOCMP := src/bpf/bpf_emu.c src/bpf/bpf_build.c src/filter/cmp_gen.c src/filter/cmp_tree.c \
	src/filter/cmp_ir.c src/filter/cmp_ir_order.c src/filter/cmp_arg.c src/filter/cmp_arg_range.c \
	src/filter/cmp_arg_emit.c src/filter/cmp_emit.c fuzz/fuzz_compile.c

.PHONY: fuzz fuzz-build fuzz-cov deps-fuzz
deps-fuzz:
	@sh tools/deps.sh fuzz

$(FUZZ_DIR)/obj/%.o: %.c $(VERSION_H)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(CPPFLAGS_ALL) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
		$(if $(filter $<,$(FUZZ_NOCMP)),-fno-sanitize-coverage=trace-cmp) -MMD -MP -c $< -o $@

# GEN_SRC is set by a later mk/*.mk: expand the object lists when the rule is used.
.SECONDEXPANSION:
$(FUZZ_DIR)/fuzz_%: fuzz/fuzz_%.c $$(FUZZ_LIB_OBJ)
	@$(if $(Q),echo "  FUZZLD  $@")
	$(Q)$(FUZZ_CC) $(CPPFLAGS_ALL) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer \
		$(if $(filter $<,$(FUZZ_NOCMP)),-fno-sanitize-coverage=trace-cmp) -o $@ $< \
		$(FUZZ_LIB_OBJ) $(LIB_LIBS)

$(FUZZ_COV_DIR)/obj/%.o: %.c $(VERSION_H)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  COVCC   $<")
	$(Q)$(FUZZ_CC) $(CPPFLAGS_ALL) $(FUZZ_CFLAGS) $(FUZZ_COV_FLAGS) -MMD -MP -c $< -o $@

$(FUZZ_COV_DIR)/fuzz_%: fuzz/fuzz_%.c $$(FUZZ_COV_LIB_OBJ)
	@$(if $(Q),echo "  COVLD   $@")
	$(Q)$(FUZZ_CC) $(CPPFLAGS_ALL) $(FUZZ_CFLAGS) $(FUZZ_COV_FLAGS) -fsanitize=fuzzer -o $@ \
		$< $(FUZZ_COV_LIB_OBJ) $(LIB_LIBS)

fuzz-build: deps-fuzz
	@$(MAKE) --no-print-directory $(FUZZ_BIN)

fuzz: fuzz-build
	@mkdir -p $(FUZZ_DIR)/artifacts
	@for t in $(FUZZ_TARGETS); do \
		echo "== $$t: $(FUZZ_SECONDS) s"; \
		rm -rf $(FUZZ_DIR)/corpus/$$t; mkdir -p $(FUZZ_DIR)/corpus/$$t; \
		cp fuzz/corpus/$$t/* $(FUZZ_DIR)/corpus/$$t/ 2>/dev/null || true; \
		dict=; [ -f fuzz/$$t.dict ] && dict=-dict=fuzz/$$t.dict; \
		$(FUZZ_DIR)/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=20 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_DIR)/artifacts/$$t- $$dict $(FUZZ_ARGS) \
			$(FUZZ_DIR)/corpus/$$t 2>$(FUZZ_DIR)/$$t.log || \
			{ tail -n 60 $(FUZZ_DIR)/$$t.log; echo "sck: fuzz: $$t failed"; exit 1; }; \
		grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|^Done' \
			$(FUZZ_DIR)/$$t.log || true; \
		echo "corpus: $$(ls $(FUZZ_DIR)/corpus/$$t | wc -l) inputs"; \
	done

# Coverage: run every target on its corpus (the grown one of the last `make fuzz` when there is
# one, else the seeds) and report the lines of src/ reached.
fuzz-cov: deps-fuzz
	@$(MAKE) --no-print-directory $(FUZZ_COV_BIN)
	@rm -f $(FUZZ_COV_DIR)/*.profraw
	@for t in $(FUZZ_TARGETS); do \
		c=fuzz/corpus/$$t; [ -d $(FUZZ_DIR)/corpus/$$t ] && c=$(FUZZ_DIR)/corpus/$$t; \
		LLVM_PROFILE_FILE=$(FUZZ_COV_DIR)/$$t.profraw $(FUZZ_COV_DIR)/$$t -runs=0 $$c \
			>/dev/null 2>&1 || { echo "sck: fuzz-cov: $$t failed"; exit 1; }; \
	done
	@llvm-profdata merge -sparse -o $(FUZZ_COV_DIR)/fuzz.profdata $(FUZZ_COV_DIR)/*.profraw
	@llvm-cov report $(firstword $(FUZZ_COV_BIN)) $(addprefix -object ,$(wordlist 2,99,$(FUZZ_COV_BIN))) \
		-instr-profile=$(FUZZ_COV_DIR)/fuzz.profdata $(abspath src) $(abspath $(GEN_SRC))

-include $(shell find $(FUZZ_DIR)/obj $(FUZZ_COV_DIR)/obj -name '*.d' 2>/dev/null)
