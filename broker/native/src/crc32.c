/*
 * CRC-32 (zlib polynomial). Long inputs fold 64 bytes per step with carry-less multiplication
 * (Gopal et al., "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ", Intel 2009): four
 * 128-bit accumulators, folded into one, then Barrett-reduced to 32 bits. Short inputs and the
 * < 16-byte tail go through slicing-by-8 tables. The raw state here is the inverted CRC.
 */
#include "crc32.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_X86 1
#endif

static uint32_t table[8][256];
static int use_clmul = 0;

static void build_tables(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[0][n] = c;
  }
  /* table[k][n]: the state after byte n followed by k zero bytes. */
  for (uint32_t n = 0; n < 256; n++)
    for (int k = 1; k < 8; k++) table[k][n] = (table[k - 1][n] >> 8) ^ table[0][table[k - 1][n] & 0xff];
}

static uint32_t load_le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Raw state in, raw state out. */
static uint32_t table_update(uint32_t c, const uint8_t *p, size_t len) {
  while (len >= 8) {
    uint32_t a = c ^ load_le32(p);
    uint32_t b = load_le32(p + 4);
    c = table[7][a & 0xff] ^ table[6][(a >> 8) & 0xff] ^ table[5][(a >> 16) & 0xff] ^ table[4][a >> 24] ^
        table[3][b & 0xff] ^ table[2][(b >> 8) & 0xff] ^ table[1][(b >> 16) & 0xff] ^ table[0][b >> 24];
    p += 8;
    len -= 8;
  }
  while (len--) c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
  return c;
}

#ifdef HAVE_X86
/* x * (k.lo for the low half, k.hi for the high half), the two products added (xor). */
__attribute__((target("pclmul,sse4.1"))) static inline __m128i fold(__m128i x, __m128i k) {
  return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11));
}

/* Raw state in and out; len >= 64 and a multiple of 16. */
__attribute__((target("pclmul,sse4.1"))) static uint32_t clmul_update(uint32_t c, const uint8_t *p,
                                                                       size_t len) {
  /* x^(512+64) and x^(512) mod P (bit-reflected, shifted): folds across 64 bytes. */
  const __m128i k512 = _mm_set_epi64x(0x1c6e41596LL, 0x154442bd4LL);
  /* The same across 16 bytes. */
  const __m128i k128 = _mm_set_epi64x(0x0ccaa009eLL, 0x1751997d0LL);
  const __m128i k64 = _mm_set_epi64x(0, 0x163cd6124LL);
  /* Barrett: P' (low) and mu (high). */
  const __m128i barrett = _mm_set_epi64x(0x1f7011641LL, 0x1db710641LL);
  const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);

  __m128i x0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi32_si128((int)c));
  __m128i x1 = _mm_loadu_si128((const __m128i *)(p + 16));
  __m128i x2 = _mm_loadu_si128((const __m128i *)(p + 32));
  __m128i x3 = _mm_loadu_si128((const __m128i *)(p + 48));
  p += 64;
  len -= 64;
  while (len >= 64) {
    x0 = _mm_xor_si128(fold(x0, k512), _mm_loadu_si128((const __m128i *)p));
    x1 = _mm_xor_si128(fold(x1, k512), _mm_loadu_si128((const __m128i *)(p + 16)));
    x2 = _mm_xor_si128(fold(x2, k512), _mm_loadu_si128((const __m128i *)(p + 32)));
    x3 = _mm_xor_si128(fold(x3, k512), _mm_loadu_si128((const __m128i *)(p + 48)));
    p += 64;
    len -= 64;
  }
  x0 = _mm_xor_si128(fold(x0, k128), x1);
  x0 = _mm_xor_si128(fold(x0, k128), x2);
  x0 = _mm_xor_si128(fold(x0, k128), x3);
  while (len >= 16) {
    x0 = _mm_xor_si128(fold(x0, k128), _mm_loadu_si128((const __m128i *)p));
    p += 16;
    len -= 16;
  }
  /* 128 -> 64 bits: the low half times x^64 mod P, added to the high half. */
  x0 = _mm_xor_si128(_mm_srli_si128(x0, 8), _mm_clmulepi64_si128(x0, k128, 0x10));
  /* 64 -> 32 bits (the state gains 32 zero bits, as the final CRC needs). */
  x0 = _mm_xor_si128(_mm_srli_si128(x0, 4), _mm_clmulepi64_si128(_mm_and_si128(x0, mask32), k64, 0x00));
  __m128i t = _mm_clmulepi64_si128(_mm_and_si128(x0, mask32), barrett, 0x10);
  t = _mm_clmulepi64_si128(_mm_and_si128(t, mask32), barrett, 0x00);
  return (uint32_t)_mm_extract_epi32(_mm_xor_si128(t, x0), 1);
}
#endif

void crc32_init(void) {
  build_tables();
#ifdef HAVE_X86
  unsigned a, b, c, d;
  if (__get_cpuid(1, &a, &b, &c, &d)) use_clmul = (c & bit_PCLMUL) && (c & bit_SSE4_1);
#endif
}

int crc32_accelerated(void) { return use_clmul; }

uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t len) {
  uint32_t c = ~crc;
#ifdef HAVE_X86
  if (use_clmul && len >= 64) {
    size_t folded = len & ~(size_t)15;
    c = clmul_update(c, p, folded);
    p += folded;
    len -= folded;
  }
#endif
  return ~table_update(c, p, len);
}
