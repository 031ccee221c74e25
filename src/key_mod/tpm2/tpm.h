/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tpm2 key module's TPM side (tpm.c): one ESAPI connection with a
 * transient storage key (SRK) made from the owner hierarchy, sealing and
 * unsealing over a session salted with that key (AES-128-CFB parameter
 * encryption).  Every object and session is flushed on every path.
 */
#ifndef ECFS_SRC_KEY_MOD_TPM2_TPM_H
#define ECFS_SRC_KEY_MOD_TPM2_TPM_H

#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#include "blob.h"

#define TPM2_SECRET_BYTES 32

struct tpm2_conn {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	ESYS_TR srk;
};

/*
 * Connect (conf: a TCTI string, or NULL for TPM2TOOLS_TCTI, TSS2_TCTI or
 * tpm2-tss's default) and make the storage key of template srk.
 */
int tpm2_connect(struct tpm2_conn *c, const char *conf, uint8_t srk, char *err, size_t errlen);
/* Flush the storage key, close the connection; safe on a failed connect. */
void tpm2_disconnect(struct tpm2_conn *c);
/* Seal secret (TPM2_SECRET_BYTES) with pin (NULL: none) and b->pcr_mask into b. */
int tpm2_seal(struct tpm2_conn *c, const uint8_t *secret, const char *pin, struct tpm2_blob *b,
	      char *err, size_t errlen);
/* Unseal b into secret (TPM2_SECRET_BYTES); a wrong PIN is -EACCES, tried once. */
int tpm2_unseal(struct tpm2_conn *c, const struct tpm2_blob *b, const char *pin,
		uint8_t *secret, char *err, size_t errlen);

#endif /* ECFS_SRC_KEY_MOD_TPM2_TPM_H */
