/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tpm2 key module's key file (doc/ecryptfs-key-mod-tpm2.7): a small
 * versioned header, then the sealed object's TPM2B_PUBLIC and TPM2B_PRIVATE
 * as tss2-mu marshals them.  Parsing touches no TPM, so it is fuzzed on its
 * own (tests/fuzz/fuzz-tpm2blob.c).
 */
#ifndef ECFS_SRC_KEY_MOD_TPM2_BLOB_H
#define ECFS_SRC_KEY_MOD_TPM2_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_tpm2_types.h>

#define TPM2_BLOB_MAGIC "ECFSTPM2"
#define TPM2_BLOB_VERSION 1
#define TPM2_BLOB_HEADER 18
#define TPM2_BLOB_MAX 4096
#define TPM2_BLOB_PIN 0x01	/* flags: the object's authValue is a PIN */
#define TPM2_SRK_ECC 1		/* the TCG ECC NIST P-256 storage key template */
#define TPM2_SRK_RSA 2		/* the TCG RSA 2048 storage key template */
#define TPM2_PCR_MAX 24		/* PCRs 0-23 of the sha256 bank */
#define TPM2_PIN_MAX 32		/* an authValue is at most nameAlg's digest (SHA-256) */

struct tpm2_blob {
	uint8_t flags;
	uint8_t srk;
	uint32_t pcr_mask;	/* bit n: PCR n of the sha256 bank is in the policy */
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
};

/* 0, or -EINVAL with *why saying what is wrong (a constant string). */
int tpm2_blob_parse(const uint8_t *buf, size_t len, struct tpm2_blob *b, const char **why);
/* 0, or -E2BIG/-EINVAL; *len the bytes written into buf (capacity cap). */
int tpm2_blob_build(const struct tpm2_blob *b, uint8_t *buf, size_t cap, size_t *len);
/* "0,7" or "0-3,7" (or empty: none) into a mask; -EINVAL if it is not one. */
int tpm2_pcrs_parse(const char *s, uint32_t *mask);

#endif /* ECFS_SRC_KEY_MOD_TPM2_BLOB_H */
