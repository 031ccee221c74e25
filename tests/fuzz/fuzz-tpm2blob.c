/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tpm2 key module's key-file parser (src/key_mod/tpm2/blob.c) on
 * arbitrary bytes: no crash, no read outside the input, and what it accepts
 * is exactly what its writer writes back (so a file that parses is one the
 * module could have made, byte for byte).  The PCR list parser on the same
 * bytes as text: only PCRs 0-23.  No TPM is involved.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "blob.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[TPM2_BLOB_MAX];
	struct tpm2_blob b;
	const char *why = NULL;
	size_t len = 0;
	uint32_t mask = 0;
	char *text;

	if (tpm2_blob_parse(data, size, &b, &why) == 0) {
		if (tpm2_blob_build(&b, out, sizeof(out), &len) != 0 || len != size ||
		    memcmp(out, data, size) != 0)
			abort();
	} else if (!why) {
		abort();
	}
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (tpm2_pcrs_parse(text, &mask) == 0 && (mask >> TPM2_PCR_MAX))
		abort();
	free(text);
	return 0;
}
