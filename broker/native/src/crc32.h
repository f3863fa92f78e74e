/* CRC-32 with the zlib polynomial (reflected 0xEDB88320): same values as zlib's crc32(). */
#ifndef ROCKETTS_CRC32_H
#define ROCKETTS_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Select the carry-less-multiply path when the CPU has it (call once before crc32_update). */
void crc32_init(void);
/* 1 when crc32_update folds with PCLMULQDQ, 0 when it uses tables. */
int crc32_accelerated(void);
/* zlib-style: crc32_update(0, p, n) is the CRC of p[0, n); pass a previous result to continue. */
uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t len);

#endif
