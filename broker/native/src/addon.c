/*
 * rocketts_native: the broker's CPU-heavy byte work that Node 20 has no fast path for.
 *   crc32(buf, start, end, crc) -> uint32        zlib-compatible CRC of buf[start, end)
 *   sealRecords(buf, start, end) -> count        fill BODYCRC and the trailing __CRC32# digits of
 *                                                each V1 record in buf[start, end) (record-crc.ts),
 *                                                up to a BLANK filler; -1 at a record that does not
 *                                                parse (the ones before it are sealed)
 *   accelerated -> boolean                       CRC folds with PCLMULQDQ on this CPU
 * Every range is checked against the buffer: a bad argument throws, it never reads out of bounds.
 */
#include <node_api.h>

#include "crc32.h"

/* Record layout (message-record.ts): big-endian fields, BODYLENGTH after the host fields. */
#define POS_MAGIC 4
#define POS_BODY_CRC 8
#define MAGIC_V1 0xdaa320a7u
#define MAGIC_BLANK 0xcbd43194u
#define POS_SYS_FLAG 36
#define FIXED_PART_V4 84
#define FLAG_BORNHOST_V6 0x10
#define FLAG_STOREHOST_V6 0x20
/* "__CRC32#" U+0001 <10 digits> U+0002 ends the properties (CRC_RESERVED_LEN). */
#define CRC_ENTRY_LEN 20

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/*
 * argv[0] as bytes and argv[1..n] as non-negative integers, the first two a range [start, end) of
 * the bytes; throws and returns 0 on a bad one.
 */
static int read_args(napi_env env, napi_callback_info info, size_t want, uint8_t **data, size_t *len,
                     int64_t *ints) {
  napi_value argv[4];
  size_t argc = 4;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "missing arguments");
    return 0;
  }
  /* Fails (napi_invalid_arg) for anything but a typed array. */
  napi_typedarray_type type;
  void *raw;
  if (napi_get_typedarray_info(env, argv[0], &type, len, &raw, NULL, NULL) != napi_ok ||
      type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "expected a Buffer or Uint8Array");
    return 0;
  }
  *data = (uint8_t *)raw;
  for (size_t i = 1; i < want; i++) {
    if (napi_get_value_int64(env, argv[i], &ints[i - 1]) != napi_ok || ints[i - 1] < 0) {
      napi_throw_type_error(env, NULL, "expected a non-negative integer");
      return 0;
    }
  }
  if (ints[0] > ints[1] || (uint64_t)ints[1] > *len) {
    napi_throw_range_error(env, NULL, "range outside the buffer");
    return 0;
  }
  return 1;
}

static napi_value js_crc32(napi_env env, napi_callback_info info) {
  uint8_t *data;
  size_t len;
  int64_t a[3];
  if (!read_args(env, info, 4, &data, &len, a)) return NULL;
  if (a[2] > 0xffffffffLL) {
    napi_throw_range_error(env, NULL, "crc is not a 32-bit value");
    return NULL;
  }
  napi_value out;
  napi_create_uint32(env, crc32_update((uint32_t)a[2], data + a[0], (size_t)(a[1] - a[0])), &out);
  return out;
}

/* 0 when the record's lengths do not fit inside it (nothing is written then). */
static int seal_record(uint8_t *r, size_t size) {
  if (size < FIXED_PART_V4 + 4 + CRC_ENTRY_LEN) return 0;
  uint32_t sys_flag = be32(r + POS_SYS_FLAG);
  size_t len_pos = FIXED_PART_V4 + ((sys_flag & FLAG_BORNHOST_V6) ? 12 : 0) +
                   ((sys_flag & FLAG_STOREHOST_V6) ? 12 : 0);
  if (len_pos + 4 > size) return 0;
  size_t body_len = be32(r + len_pos);
  size_t body_end = len_pos + 4 + body_len;
  size_t entry = size - CRC_ENTRY_LEN;
  if (body_len > size || body_end > entry) return 0;
  put_be32(r + POS_BODY_CRC, crc32_update(0, r + len_pos + 4, body_len) & 0x7fffffff);
  /* The body is covered by BODYCRC; the record CRC covers everything else before the entry. */
  uint32_t crc = crc32_update(crc32_update(0, r, len_pos + 4), r + body_end, entry - body_end) & 0x7fffffff;
  uint8_t *digits = r + size - 11;
  for (int i = 0; i < 10; i++) {
    digits[i] = (uint8_t)('0' + crc % 10);
    crc /= 10;
  }
  return 1;
}

static int64_t seal_records(uint8_t *buf, size_t start, size_t end) {
  int64_t count = 0;
  size_t pos = start;
  while (end - pos >= 8) {
    uint32_t size = be32(buf + pos);
    uint32_t magic = be32(buf + pos + POS_MAGIC);
    /* A segment's filler ends a run; its TOTALSIZE is the rest of the segment, not these bytes. */
    if (magic == MAGIC_BLANK) break;
    if (magic != MAGIC_V1 || size > end - pos || !seal_record(buf + pos, size)) return -1;
    pos += size;
    count++;
  }
  return count;
}

static napi_value js_seal_records(napi_env env, napi_callback_info info) {
  uint8_t *data;
  size_t len;
  int64_t a[2];
  if (!read_args(env, info, 3, &data, &len, a)) return NULL;
  napi_value out;
  napi_create_int64(env, seal_records(data, (size_t)a[0], (size_t)a[1]), &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  crc32_init();
  napi_value fn;
  napi_create_function(env, "crc32", NAPI_AUTO_LENGTH, js_crc32, NULL, &fn);
  napi_set_named_property(env, exports, "crc32", fn);
  napi_create_function(env, "sealRecords", NAPI_AUTO_LENGTH, js_seal_records, NULL, &fn);
  napi_set_named_property(env, exports, "sealRecords", fn);
  napi_value accel;
  napi_get_boolean(env, crc32_accelerated(), &accel);
  napi_set_named_property(env, exports, "accelerated", accel);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
