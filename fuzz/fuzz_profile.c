// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness of the profile reader: any bytes go to sck_profile_parse; a filter that
 * parses is compiled too. Nothing may crash, leak or trip a sanitizer. Build with
 * clang -fsanitize=fuzzer,address -Iinclude -Ibuild/include fuzz/fuzz_profile.c build/libsck.a
 * -ljson-c; seed corpus: profiles/ and ../shared/profiles/.
 */
#include <stddef.h>
#include <stdint.h>

#include "sck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sck_filter *f = NULL;
	struct sck_filter_prog *p = NULL;
	struct sck_diag d;
	SCK_OPTS(sck_profile_opts, o, .kernel = "6.1", .flags = SCK_PROFILE_ENOSYS_NEWER);

	if (sck_profile_parse((const char *)data, size, &o, &f, NULL, &d) == 0) {
		if (sck_filter_compile(f, NULL, &p) == 0)
			sck_filter_prog_free(p);
		sck_filter_free(f);
	}
	return 0;
}
