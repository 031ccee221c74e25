/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tpm2 key module's TPM side (tpm.h), on ESAPI (tpm2-tss):
 *  - the storage key: TPM2_CreatePrimary under the owner hierarchy with the
 *    TCG's standard SRK template (ECC P-256 or RSA 2048, AES-128-CFB,
 *    noDA), made again at each use, so nothing persistent is needed; a TPM
 *    that was cleared has a new owner seed, hence another SRK, and then
 *    refuses to load the sealed object;
 *  - seal: a trial policy session gives the policy (PolicyPCR over the
 *    sha256 bank, PolicyAuthValue with a PIN) when PCRs are selected; then
 *    TPM2_Create of a keyedhash object holding the secret, its authValue
 *    the PIN, over an HMAC session salted with the SRK whose command
 *    parameter (the secret and PIN) is AES-CFB encrypted;
 *  - unseal: TPM2_Load, a salted policy (or HMAC) session whose response
 *    parameter (the secret) is encrypted, the policy replayed, TPM2_Unseal.
 * Sessions are started with continueSession and flushed by us, so that a
 * failure after any command leaves no handle behind: without a resource
 * manager (swtpm, /dev/tpm0) a leaked handle stays until the TPM restarts.
 * A wrong PIN is reported and never sent again: each one counts towards
 * the TPM's dictionary-attack lockout.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_rc.h>

#include "libecryptfs.h"
#include "tpm.h"

static const TPMT_SYM_DEF aes_cfb = {
	.algorithm = TPM2_ALG_AES, .keyBits.aes = 128, .mode.aes = TPM2_ALG_CFB,
};
static const TPMT_SYM_DEF_OBJECT srk_aes_cfb = {
	.algorithm = TPM2_ALG_AES, .keyBits.aes = 128, .mode.aes = TPM2_ALG_CFB,
};

/* The TPM's own response code (no TSS layer), or 0 when rc comes from the TSS. */
static TPM2_RC tpm_rc(TSS2_RC rc)
{
	TSS2_RC layer = rc & TSS2_RC_LAYER_MASK;

	if (layer != TSS2_TPM_RC_LAYER && layer != TSS2_RESMGR_TPM_RC_LAYER)
		return 0;
	rc &= 0xffff;
	/* Format one codes carry the handle, session or parameter number. */
	return (rc & TPM2_RC_FMT1) ? (rc & (TPM2_RC_FMT1 | 0x3f)) : (rc & 0xfff);
}

/* "what: decoded rc", into err; the errno the caller returns. */
static int fail(TSS2_RC rc, int e, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s (0x%x)", what, Tss2_RC_Decode(rc), (unsigned)rc);
	return e;
}

static int fail_conn(TSS2_RC rc, char *err, size_t errlen, const char *what)
{
	if (tpm_rc(rc) == TPM2_RC_LOCKOUT)
		return fail(rc, -EACCES, err, errlen, "the TPM is in dictionary-attack lockout "
			    "(too many wrong PINs; wait, or tpm2_dictionarylockout -c)");
	return fail(rc, tpm_rc(rc) ? -EIO : -ENODEV, err, errlen, what);
}

static void flush(struct tpm2_conn *c, ESYS_TR *h)
{
	if (*h != ESYS_TR_NONE)
		Esys_FlushContext(c->esys, *h);
	*h = ESYS_TR_NONE;
}

static void fill_pcrs(uint32_t mask, TPML_PCR_SELECTION *sel)
{
	memset(sel, 0, sizeof(*sel));
	if (!mask)
		return;
	sel->count = 1;
	sel->pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel->pcrSelections[0].sizeofSelect = 3;
	sel->pcrSelections[0].pcrSelect[0] = (uint8_t)mask;
	sel->pcrSelections[0].pcrSelect[1] = (uint8_t)(mask >> 8);
	sel->pcrSelections[0].pcrSelect[2] = (uint8_t)(mask >> 16);
}

/* The TCG Provisioning Guidance's storage key templates (unique all zero). */
static void srk_template(uint8_t srk, TPM2B_PUBLIC *t)
{
	TPMT_PUBLIC *p = &t->publicArea;

	memset(t, 0, sizeof(*t));
	p->nameAlg = TPM2_ALG_SHA256;
	p->objectAttributes = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT |
		TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA;
	if (srk == TPM2_SRK_RSA) {
		p->type = TPM2_ALG_RSA;
		p->parameters.rsaDetail.symmetric = srk_aes_cfb;
		p->parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
		p->parameters.rsaDetail.keyBits = 2048;
		p->unique.rsa.size = 256;
	} else {
		p->type = TPM2_ALG_ECC;
		p->parameters.eccDetail.symmetric = srk_aes_cfb;
		p->parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
		p->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
		p->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
		p->unique.ecc.x.size = 32;
		p->unique.ecc.y.size = 32;
	}
}

int tpm2_connect(struct tpm2_conn *c, const char *conf, uint8_t srk, char *err, size_t errlen)
{
	TPM2B_SENSITIVE_CREATE sens = {0};
	TPM2B_PUBLIC tmpl;
	TPM2B_DATA outside = {0};
	TPML_PCR_SELECTION none = {0};
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_CREATION_DATA *cd = NULL;
	TPM2B_DIGEST *ch = NULL;
	TPMT_TK_CREATION *ct = NULL;
	char what[300];
	TSS2_RC rc;
	int r;

	c->tcti = NULL;
	c->esys = NULL;
	c->srk = ESYS_TR_NONE;
	if (!conf || !*conf)
		conf = getenv("TPM2TOOLS_TCTI");
	if (!conf || !*conf)
		conf = getenv("TSS2_TCTI");
	if (conf && !*conf)
		conf = NULL;
	snprintf(what, sizeof(what), "connecting to the TPM (TCTI %.200s)",
		 conf ? conf : "tpm2-tss's default");
	rc = Tss2_TctiLdr_Initialize(conf, &c->tcti);
	if (rc != TSS2_RC_SUCCESS) {
		c->tcti = NULL;
		r = fail(rc, -ENODEV, err, errlen, what);
		goto out;
	}
	rc = Esys_Initialize(&c->esys, c->tcti, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		c->esys = NULL;
		r = fail(rc, -ENODEV, err, errlen, what);
		goto out;
	}
	srk_template(srk, &tmpl);
	rc = Esys_CreatePrimary(c->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				ESYS_TR_NONE, &sens, &tmpl, &outside, &none, &c->srk, &pub, &cd,
				&ch, &ct);
	if (rc != TSS2_RC_SUCCESS) {
		c->srk = ESYS_TR_NONE;
		if (!tpm_rc(rc))	/* the TSS's own: no TPM answered */
			r = fail(rc, -ENODEV, err, errlen, what);
		else if (tpm_rc(rc) == TPM2_RC_BAD_AUTH || tpm_rc(rc) == TPM2_RC_AUTH_FAIL)
			r = fail(rc, -EACCES, err, errlen, "creating the storage key under the "
				 "owner hierarchy (the owner hierarchy has a password?)");
		else
			r = fail_conn(rc, err, errlen, "creating the storage key under the owner "
				      "hierarchy");
		goto out;
	}
	r = 0;
out:
	Esys_Free(pub);
	Esys_Free(cd);
	Esys_Free(ch);
	Esys_Free(ct);
	if (r < 0)
		tpm2_disconnect(c);
	return r;
}

void tpm2_disconnect(struct tpm2_conn *c)
{
	if (c->esys) {
		flush(c, &c->srk);
		Esys_Finalize(&c->esys);
	}
	if (c->tcti)
		Tss2_TctiLdr_Finalize(&c->tcti);
	c->esys = NULL;
	c->tcti = NULL;
}

/* A session salted with the SRK: policy, trial or HMAC; attrs as given. */
static TSS2_RC start_session(struct tpm2_conn *c, TPM2_SE type, TPMA_SESSION attrs,
			     ESYS_TR *s)
{
	TPMT_SYM_DEF none = { .algorithm = TPM2_ALG_NULL };
	TSS2_RC rc;

	*s = ESYS_TR_NONE;
	if (type == TPM2_SE_TRIAL)
		rc = Esys_StartAuthSession(c->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
					   ESYS_TR_NONE, ESYS_TR_NONE, NULL, type, &none,
					   TPM2_ALG_SHA256, s);
	else
		rc = Esys_StartAuthSession(c->esys, c->srk, ESYS_TR_NONE, ESYS_TR_NONE,
					   ESYS_TR_NONE, ESYS_TR_NONE, NULL, type, &aes_cfb,
					   TPM2_ALG_SHA256, s);
	if (rc != TSS2_RC_SUCCESS) {
		*s = ESYS_TR_NONE;
		return rc;
	}
	return Esys_TRSess_SetAttributes(c->esys, *s, attrs | TPMA_SESSION_CONTINUESESSION,
					 0xff);
}

/* The policy commands on session s: PolicyPCR (current values), PolicyAuthValue. */
static TSS2_RC policy(struct tpm2_conn *c, ESYS_TR s, uint32_t mask, int pin)
{
	TPM2B_DIGEST empty = {0};
	TPML_PCR_SELECTION sel;
	TSS2_RC rc;

	fill_pcrs(mask, &sel);
	rc = Esys_PolicyPCR(c->esys, s, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &empty, &sel);
	if (rc == TSS2_RC_SUCCESS && pin)
		rc = Esys_PolicyAuthValue(c->esys, s, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE);
	return rc;
}

int tpm2_seal(struct tpm2_conn *c, const uint8_t *secret, const char *pin, struct tpm2_blob *b,
	      char *err, size_t errlen)
{
	TPM2B_SENSITIVE_CREATE *sens = ecryptfs_secure_alloc(sizeof(*sens));
	TPM2B_PUBLIC in = {0};
	TPM2B_DATA outside = {0};
	TPML_PCR_SELECTION none = {0};
	TPM2B_DIGEST *digest = NULL;
	TPM2B_PRIVATE *priv = NULL;
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_CREATION_DATA *cd = NULL;
	TPM2B_DIGEST *ch = NULL;
	TPMT_TK_CREATION *ct = NULL;
	ESYS_TR s = ESYS_TR_NONE;
	size_t pl = pin ? strlen(pin) : 0;
	TSS2_RC rc;
	int r;

	if (!sens)
		return -ENOMEM;
	if (pl > TPM2_PIN_MAX) {
		snprintf(err, errlen, "the PIN: at most %d bytes", TPM2_PIN_MAX);
		r = -EINVAL;
		goto out;
	}
	if (b->pcr_mask) {
		rc = start_session(c, TPM2_SE_TRIAL, 0, &s);
		if (rc == TSS2_RC_SUCCESS)
			rc = policy(c, s, b->pcr_mask, pl > 0);
		if (rc == TSS2_RC_SUCCESS)
			rc = Esys_PolicyGetDigest(c->esys, s, ESYS_TR_NONE, ESYS_TR_NONE,
						  ESYS_TR_NONE, &digest);
		flush(c, &s);
		if (rc != TSS2_RC_SUCCESS) {
			r = fail_conn(rc, err, errlen, "computing the PCR policy (is the TPM's "
				      "sha256 PCR bank active?)");
			goto out;
		}
		in.publicArea.authPolicy = *digest;
	}
	in.publicArea.type = TPM2_ALG_KEYEDHASH;
	in.publicArea.nameAlg = TPM2_ALG_SHA256;
	in.publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		(b->pcr_mask ? 0 : TPMA_OBJECT_USERWITHAUTH) | (pl ? 0 : TPMA_OBJECT_NODA);
	in.publicArea.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;
	sens->sensitive.userAuth.size = (uint16_t)pl;
	memcpy(sens->sensitive.userAuth.buffer, pin ? pin : "", pl);
	sens->sensitive.data.size = TPM2_SECRET_BYTES;
	memcpy(sens->sensitive.data.buffer, secret, TPM2_SECRET_BYTES);
	rc = start_session(c, TPM2_SE_HMAC, TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT, &s);
	if (rc == TSS2_RC_SUCCESS)
		rc = Esys_Create(c->esys, c->srk, s, ESYS_TR_NONE, ESYS_TR_NONE, sens, &in,
				 &outside, &none, &priv, &pub, &cd, &ch, &ct);
	flush(c, &s);
	if (rc != TSS2_RC_SUCCESS) {
		r = fail_conn(rc, err, errlen, "sealing the secret");
		goto out;
	}
	b->flags = pl ? TPM2_BLOB_PIN : 0;
	b->pub = *pub;
	b->priv = *priv;
	r = 0;
out:
	ecryptfs_secure_free(sens);	/* wiped */
	Esys_Free(digest);
	Esys_Free(priv);
	Esys_Free(pub);
	Esys_Free(cd);
	Esys_Free(ch);
	Esys_Free(ct);
	return r;
}

int tpm2_unseal(struct tpm2_conn *c, const struct tpm2_blob *b, const char *pin,
		uint8_t *secret, char *err, size_t errlen)
{
	TPM2B_AUTH *auth = ecryptfs_secure_alloc(sizeof(*auth));
	TPM2B_SENSITIVE_DATA *out = NULL;
	ESYS_TR obj = ESYS_TR_NONE, s = ESYS_TR_NONE;
	size_t pl = pin && (b->flags & TPM2_BLOB_PIN) ? strlen(pin) : 0;
	TPM2_RC t;
	TSS2_RC rc;
	int r;

	if (!auth)
		return -ENOMEM;
	if (pl > TPM2_PIN_MAX) {
		/* Longer than any PIN generate accepts: wrong, and not sent. */
		snprintf(err, errlen, "wrong PIN (longer than %d bytes; not tried)", TPM2_PIN_MAX);
		r = -EACCES;
		goto out;
	}
	rc = Esys_Load(c->esys, c->srk, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &b->priv,
		       &b->pub, &obj);
	if (rc != TSS2_RC_SUCCESS) {
		obj = ESYS_TR_NONE;
		t = tpm_rc(rc);
		/* A format one code: the TPM refused the object itself. */
		r = (t & TPM2_RC_FMT1) ?
			fail(rc, -EKEYREJECTED, err, errlen, "loading the sealed object: this "
			     "TPM's storage key did not seal it (the TPM was cleared or reset, "
			     "or the key file is another TPM's)") :
			fail_conn(rc, err, errlen, "loading the sealed object");
		goto out;
	}
	auth->size = (uint16_t)pl;
	memcpy(auth->buffer, pin ? pin : "", pl);
	rc = Esys_TR_SetAuth(c->esys, obj, auth);
	if (rc == TSS2_RC_SUCCESS)
		rc = start_session(c, b->pcr_mask ? TPM2_SE_POLICY : TPM2_SE_HMAC,
				   TPMA_SESSION_ENCRYPT, &s);
	if (rc == TSS2_RC_SUCCESS && b->pcr_mask) {
		rc = policy(c, s, b->pcr_mask, pl > 0);
		if (rc != TSS2_RC_SUCCESS) {
			r = fail_conn(rc, err, errlen, "replaying the PCR policy");
			goto out;
		}
	}
	if (rc != TSS2_RC_SUCCESS) {
		r = fail_conn(rc, err, errlen, "starting a salted session");
		goto out;
	}
	rc = Esys_Unseal(c->esys, obj, s, ESYS_TR_NONE, ESYS_TR_NONE, &out);
	t = tpm_rc(rc);
	if (t == TPM2_RC_AUTH_FAIL || t == TPM2_RC_BAD_AUTH) {
		r = fail(rc, -EACCES, err, errlen, "unsealing the secret: wrong PIN (not tried "
			 "again)");
		goto out;
	}
	if (t == TPM2_RC_POLICY_FAIL || t == TPM2_RC_PCR_CHANGED) {
		r = fail(rc, -EKEYREJECTED, err, errlen, "unsealing the secret: the PCRs no "
			 "longer hold the values it was sealed to");
		goto out;
	}
	if (rc != TSS2_RC_SUCCESS) {
		r = fail_conn(rc, err, errlen, "unsealing the secret");
		goto out;
	}
	if (out->size != TPM2_SECRET_BYTES) {
		snprintf(err, errlen, "unsealing the secret: %u bytes, not %d", out->size,
			 TPM2_SECRET_BYTES);
		r = -EINVAL;
		goto out;
	}
	memcpy(secret, out->buffer, TPM2_SECRET_BYTES);
	r = 0;
out:
	if (out)
		explicit_bzero(out, sizeof(*out));
	Esys_Free(out);
	flush(c, &s);
	flush(c, &obj);
	ecryptfs_secure_free(auth);	/* wiped */
	return r;
}
