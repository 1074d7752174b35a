/* SHA-256 against the FIPS 180-4 / NIST test vectors. */
#include "tap.h"
#include "internal.h"

static void check(const char *in, size_t len, const char *want)
{
	char hex[STRATA__SHA256_HEX];

	strata__sha256_hex(hex, in, len);
	is_str(hex, want, "sha256 of %zu bytes", len);
}

/* The checksum cache keeps digests as the hex it saved and checks them
 * when it loads: anything but n lower-case digits is refused, never read
 * past. */
static void hex_digits(void)
{
	unsigned char bin[4] = {0x00, 0x7f, 0xa5, 0xff};
	char hex[9];
	int c, all = 1;

	strata__hex(hex, bin, 4);
	is_str(hex, "007fa5ff", "bytes to hex");
	ok(strata__is_hex(hex, 8), "hex digits");
	ok(strata__is_hex("0123456789abcdef", 16), "every digit");
	ok(!strata__is_hex("007FA5FF", 8), "upper case refused");
	ok(!strata__is_hex("007fa5f", 8), "a short string");
	ok(!strata__is_hex("00 7fa5ff", 8), "a blank");
	ok(strata__is_hex("007fzz", 4), "only n digits are read");
	for (c = 1; c < 256; c++) {
		char one[2] = {(char)c, 0};
		int digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');

		all &= strata__is_hex(one, 1) == digit;
	}
	ok(all, "each byte: a digit exactly when 0-9 or a-f");
}

int main(void)
{
	char *million = malloc(1000000);
	size_t i;

	check("", 0,
	      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"
	      "5");
	check("abc", 3,
	      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a"
	      "d");
	check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c"
	      "1");
	for (i = 0; i < 1000000; i++)
		million[i] = 'a';
	/* 55 and 64 bytes sit on either side of the padding boundary. */
	check(million, 55,
	      "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f73431"
	      "8");
	check(million, 64,
	      "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668e"
	      "b");
	check(million, 1000000,
	      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd"
	      "0");
	free(million);
	hex_digits();
	return tap_done();
}
