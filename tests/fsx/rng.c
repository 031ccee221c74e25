/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Seeded randomness: every decision of a run derives from -S, so a failing
 * seed replays the same operations. Offsets and lengths are skewed towards
 * the places where an extent-based encrypting filesystem goes wrong. */
#include "config.h"

#include "fsx.h"

void rng_seed(struct rng *r, uint64_t seed)
{
	r->s = seed ^ 0x9e3779b97f4a7c15ULL;
}

/* splitmix64: tiny, full period, good enough to drive a tester. */
uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	return n ? rng_next(r) % n : 0;
}

/* A small displacement from an interesting point: exactly on it, one byte
 * either side (partial first/last extent), 17 bytes either side (not a
 * multiple of the cipher block), or a little further. */
static long near_delta(struct rng *r)
{
	static const long d[] = { 0, 0, -1, 1, -17, 17, -16, 16 };
	uint64_t k = rng_below(r, 10);

	if (k < 8)
		return d[k];
	return (long)rng_below(r, 129) - 64;
}

static size_t clamp(long v, size_t lo, size_t hi)
{
	if (v < (long)lo)
		return lo;
	if (v >= (long)hi)
		return hi - 1;
	return (size_t)v;
}

/* An offset in [lo, hi); eof is the current file (or region) size. */
size_t gen_offset(struct rng *r, size_t lo, size_t hi, size_t eof)
{
	uint64_t k = rng_below(r, 100);

	if (hi <= lo)
		return lo;
	if (k < 35) {		/* an extent boundary inside the range */
		size_t first = lo / FSX_EXTENT, last = (hi - 1) / FSX_EXTENT;
		size_t e = first + rng_below(r, last - first + 2);

		return clamp((long)(e * FSX_EXTENT) + near_delta(r), lo, hi);
	}
	if (k < 45)		/* 8192: the header size of the lower file */
		return clamp(8192 + near_delta(r), lo, hi);
	if (k < 70)		/* end of file, and the extent edges around it */
		return clamp((long)eof + near_delta(r) +
			     (rng_below(r, 4) == 0 ? ((long)rng_below(r, 3) - 1) * FSX_EXTENT : 0),
			     lo, hi);
	return lo + rng_below(r, hi - lo);
}

/* A length >= 1: tiny, a few extents give or take a byte, anything up to
 * maxop, and now and then a big one (a FUSE request is at most 1 MiB). */
size_t gen_length(struct rng *r, size_t maxop, size_t big)
{
	uint64_t k = rng_below(r, 100);
	long v;

	if (k < 1)
		v = (long)big + (rng_below(r, 2) ? near_delta(r) : 0);
	else if (k < 6)
		v = 1;
	else if (k < 30)
		v = 1 + (long)rng_below(r, 32);
	else if (k < 60)
		v = (long)(FSX_EXTENT * (1 + rng_below(r, 4))) + near_delta(r);
	else
		v = 1 + (long)rng_below(r, maxop);
	return v < 1 ? 1 : (size_t)v;
}
