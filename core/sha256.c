/* SHA-256 (FIPS 180-4), small and dependency-free, for migration checksums. */
#include <string.h>

#include "internal.h"

typedef struct sha256_ctx {
	uint32_t h[8];
	uint64_t total;
	unsigned char block[64];
	size_t used;
} sha256_ctx;

static const uint32_t K[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
        0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
        0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
        0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
        0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void compress(sha256_ctx *c, const unsigned char *p)
{
	uint32_t w[64], a, b, cc, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
		              (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^
		              (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3];
	e = c->h[4], f = c->h[5], g = c->h[6], h = c->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
		     ((e & f) ^ (~e & g)) + K[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
		     ((a & b) ^ (a & cc) ^ (b & cc));
		h = g, g = f, f = e, e = d + t1;
		d = cc, cc = b, b = a, a = t1 + t2;
	}
	c->h[0] += a, c->h[1] += b, c->h[2] += cc, c->h[3] += d;
	c->h[4] += e, c->h[5] += f, c->h[6] += g, c->h[7] += h;
}

static void update(sha256_ctx *c, const unsigned char *p, size_t n)
{
	c->total += n;
	while (n) {
		size_t take = 64 - c->used;

		if (take > n)
			take = n;
		memcpy(c->block + c->used, p, take);
		c->used += take, p += take, n -= take;
		if (c->used == 64) {
			compress(c, c->block);
			c->used = 0;
		}
	}
}

void strata__sha256(unsigned char out[STRATA__SHA256_BYTES], const void *data,
                    size_t len)
{
	static const uint32_t init[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
	                                 0xa54ff53a, 0x510e527f, 0x9b05688c,
	                                 0x1f83d9ab, 0x5be0cd19};
	sha256_ctx c;
	unsigned char pad[72] = {0x80};
	uint64_t bits;
	size_t padlen;
	int i;

	memcpy(c.h, init, sizeof(init));
	c.total = 0;
	c.used = 0;
	update(&c, data, len);
	bits = c.total * 8;
	padlen = (c.used < 56 ? 56 : 120) - c.used;
	for (i = 0; i < 8; i++)
		pad[padlen + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
	update(&c, pad, padlen + 8);
	for (i = 0; i < 32; i++)
		out[i] = (unsigned char)(c.h[i / 4] >> (24 - 8 * (i % 4)));
}

void strata__hex(char *out, const unsigned char *bin, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[bin[i] >> 4];
		out[2 * i + 1] = digits[bin[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The lower-case hex digits (the checksum cache checks 1.3 million of
 * them at 10,000 migrations: a table, not comparisons). */
static const unsigned char digit[256] = {
        ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
        ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1,
        ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1};

int strata__is_hex(const char *hex, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) /* a NUL is no digit */
		if (!digit[(unsigned char)hex[i]])
			return 0;
	return 1;
}

void strata__sha256_hex(char out[STRATA__SHA256_HEX], const void *data,
                        size_t len)
{
	unsigned char bin[STRATA__SHA256_BYTES];

	strata__sha256(bin, data, len);
	strata__hex(out, bin, sizeof(bin));
}
