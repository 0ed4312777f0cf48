# SPDX-License-Identifier: MIT
# make valgrind (issue 7): the unit tests under valgrind memcheck, 0 errors and 0 leaks required;
# see tools/valgrind.sh. Uses the plain (unsanitized) build.

.DEFAULT_GOAL := all

.PHONY: valgrind
valgrind: deps-test
	@sh tools/deps.sh valgrind
	@$(MAKE) --no-print-directory all $(TEST_BIN)
	@sh tools/valgrind.sh $(TEST_BIN) $(BUILD)/valgrind
