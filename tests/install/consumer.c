// SPDX-License-Identifier: MIT
/* A program outside the tree: built against the installed <sck.h> through pkg-config. */
#include <sck.h>
#include <stdio.h>

int main(void)
{
	struct sock_filter ld;
	struct sck_notif_sizes sizes;

	if (sck_audit_arch("amd64") != 0xc000003eu ||
	    sck_load_data_field("Arg0", true, "s390x", &ld))
		return 1;
	if (sck_get_notif_sizes(&sizes) != 0)
		return 2;
	printf("consumer: sck %s, args[0] high on s390x at %u, seccomp_data %u\n",
	       SCK_VERSION_STRING, ld.k, sizes.seccomp_data);
	return ld.k == 16 && sizes.seccomp_data == 64 ? 0 : 3;
}
