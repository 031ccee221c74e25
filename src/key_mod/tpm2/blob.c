/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tpm2 key module's key file (blob.h).  Layout, big-endian:
 *   0  "ECFSTPM2"
 *   8  version (1)            9  flags (TPM2_BLOB_PIN)
 *  10  storage key template  11  0
 *  12  PCR bank (TPM2_ALG_SHA256, or 0 without PCRs)
 *  14  PCR mask (32 bits, PCRs 0-23)
 *  18  TPM2B_PUBLIC, then TPM2B_PRIVATE, then nothing.
 * The object must be what generate makes (a sealed keyedhash object, SHA-256
 * names, a policy exactly when PCRs are selected), so that a file that is
 * not ours fails here with a reason instead of at the TPM.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_mu.h>

#include "blob.h"

static const TPMA_OBJECT must_set = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT;
static const TPMA_OBJECT must_clear = TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_RESTRICTED |
	TPMA_OBJECT_DECRYPT | TPMA_OBJECT_SIGN_ENCRYPT;

int tpm2_blob_parse(const uint8_t *buf, size_t len, struct tpm2_blob *b, const char **why)
{
	size_t off = TPM2_BLOB_HEADER;
	uint16_t bank;
	const TPMT_PUBLIC *p;

	memset(b, 0, sizeof(*b));
	if (len < TPM2_BLOB_HEADER || memcmp(buf, TPM2_BLOB_MAGIC, 8) != 0) {
		*why = "not a tpm2 module key file (no ECFSTPM2 header)";
		return -EINVAL;
	}
	if (buf[8] != TPM2_BLOB_VERSION) {
		*why = "a tpm2 key file of another version";
		return -EINVAL;
	}
	b->flags = buf[9];
	b->srk = buf[10];
	bank = (uint16_t)(buf[12] << 8 | buf[13]);
	b->pcr_mask = (uint32_t)buf[14] << 24 | (uint32_t)buf[15] << 16 |
		      (uint32_t)buf[16] << 8 | buf[17];
	if ((b->flags & ~TPM2_BLOB_PIN) || buf[11] ||
	    (b->srk != TPM2_SRK_ECC && b->srk != TPM2_SRK_RSA) ||
	    (b->pcr_mask >> TPM2_PCR_MAX) ||
	    bank != (b->pcr_mask ? TPM2_ALG_SHA256 : 0)) {
		*why = "damaged header";
		return -EINVAL;
	}
	/* tss2-mu does not check that a TPM2B_PUBLIC's size is its content's. */
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(buf, len, &off, &b->pub) != TSS2_RC_SUCCESS ||
	    off != TPM2_BLOB_HEADER + 2 + (size_t)b->pub.size ||
	    Tss2_MU_TPM2B_PRIVATE_Unmarshal(buf, len, &off, &b->priv) != TSS2_RC_SUCCESS ||
	    off != len) {
		*why = "damaged sealed object";
		return -EINVAL;
	}
	p = &b->pub.publicArea;
	if (p->type != TPM2_ALG_KEYEDHASH || p->nameAlg != TPM2_ALG_SHA256 ||
	    p->parameters.keyedHashDetail.scheme.scheme != TPM2_ALG_NULL ||
	    (p->objectAttributes & must_set) != must_set || (p->objectAttributes & must_clear) ||
	    !(p->objectAttributes & TPMA_OBJECT_USERWITHAUTH) != !!b->pcr_mask ||
	    !p->authPolicy.size != !b->pcr_mask || b->priv.size == 0) {
		*why = "not a sealed object of the tpm2 module";
		return -EINVAL;
	}
	return 0;
}

int tpm2_blob_build(const struct tpm2_blob *b, uint8_t *buf, size_t cap, size_t *len)
{
	size_t off = TPM2_BLOB_HEADER;
	uint16_t bank = b->pcr_mask ? TPM2_ALG_SHA256 : 0;

	if (cap < TPM2_BLOB_HEADER)
		return -E2BIG;
	memcpy(buf, TPM2_BLOB_MAGIC, 8);
	buf[8] = TPM2_BLOB_VERSION;
	buf[9] = b->flags;
	buf[10] = b->srk;
	buf[11] = 0;
	buf[12] = (uint8_t)(bank >> 8);
	buf[13] = (uint8_t)bank;
	buf[14] = (uint8_t)(b->pcr_mask >> 24);
	buf[15] = (uint8_t)(b->pcr_mask >> 16);
	buf[16] = (uint8_t)(b->pcr_mask >> 8);
	buf[17] = (uint8_t)b->pcr_mask;
	if (Tss2_MU_TPM2B_PUBLIC_Marshal(&b->pub, buf, cap, &off) != TSS2_RC_SUCCESS ||
	    Tss2_MU_TPM2B_PRIVATE_Marshal(&b->priv, buf, cap, &off) != TSS2_RC_SUCCESS)
		return -E2BIG;
	*len = off;
	return 0;
}

int tpm2_pcrs_parse(const char *s, uint32_t *mask)
{
	uint32_t m = 0;

	while (*s) {
		char *end;
		unsigned long a = strtoul(s, &end, 10), z = a;

		if (end == s || *s < '0' || *s > '9' || a >= TPM2_PCR_MAX)
			return -EINVAL;
		s = end;
		if (*s == '-') {
			s++;
			z = strtoul(s, &end, 10);
			if (end == s || *s < '0' || *s > '9' || z >= TPM2_PCR_MAX || z < a)
				return -EINVAL;
			s = end;
		}
		for (unsigned long i = a; i <= z; i++)
			m |= 1u << i;
		if (*s == ',' && s[1])
			s++;
		else if (*s)
			return -EINVAL;
	}
	*mask = m;
	return 0;
}
