/* fuzz_rules.c - libFuzzer target for the rules file parser and compiler
 * (src/diag/rules.c) through diag_rules_check_mem(): -1 with a message for
 * text that does not parse, else the count of failing examples. */
#include <stdint.h>
#include <stdlib.h>

#include "bouncedesk/diag.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	 err[256];
	int	 rc;

	if (size > 64 * 1024)
		return 0;
	err[0] = '\0';
	rc = diag_rules_check_mem((const char *)data, size, err, sizeof(err));
	if (rc < -1 || (rc == -1 && err[0] == '\0'))
		abort();
	return 0;
}
