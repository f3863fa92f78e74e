import { deflateSync, inflateSync } from 'node:zlib';
import { MessageSysFlag } from '../codes/flags';
import { ProtocolError } from '../errors/protocol-error';

/** Java producers compress non-batch bodies of at least this many bytes (`compressMsgBodyOverHowmuch`). */
export const DEFAULT_COMPRESS_OVER_BYTES = 4096; // 4 KiB
/** java.util.zip.Deflater level used by Java producers (`rocketmq.message.compressLevel`). */
export const DEFAULT_COMPRESS_LEVEL = 5;

export function deflateBody(body: Buffer, level = DEFAULT_COMPRESS_LEVEL): Buffer {
  return deflateSync(body, { level });
}

/** Inflate a body flagged COMPRESSED. Type bits 0 (4.x) and 0x300 are zlib; LZ4/ZSTD are not supported. */
export function inflateBody(body: Buffer, sysFlag: number): Buffer {
  const type = sysFlag & MessageSysFlag.COMPRESSION_TYPE_MASK;
  if (type !== 0 && type !== MessageSysFlag.COMPRESSION_ZLIB) {
    throw new ProtocolError(`unsupported compression type 0x${type.toString(16)}`, 'UNSUPPORTED_COMPRESSION');
  }
  try {
    return inflateSync(body);
  } catch (err) {
    throw new ProtocolError(
      `compressed body does not inflate: ${(err as Error).message}`,
      'BAD_COMPRESSED_BODY',
      err,
    );
  }
}
