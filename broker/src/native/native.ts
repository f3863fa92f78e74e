import { join } from 'node:path';

/** The optional addon built from broker/native (C, N-API): CRC work Node 20 has no fast path for. */
export interface NativeBindings {
  /** zlib-compatible CRC-32 of buf[start, end), continuing from `crc` (0 to start); unsigned. */
  crc32(buf: Uint8Array, start: number, end: number, crc: number): number;
  /**
   * Fill BODYCRC and the trailing `__CRC32#` digits of each V1 record in buf[start, end) (see
   * record-crc.ts), stopping at a BLANK filler: the number sealed, or -1 at a record that does not
   * parse (those before it are sealed).
   */
  sealRecords(buf: Uint8Array, start: number, end: number): number;
  /** The CPU folds CRCs with PCLMULQDQ (else the addon uses tables). */
  readonly accelerated: boolean;
}

/** Where build.mjs puts the addon, from src/native (tests) and dist/native (built) alike. */
export const NATIVE_ADDON_PATH = join(
  __dirname,
  '..',
  '..',
  'native',
  'build',
  'Release',
  'rocketts_native.node',
);

/**
 * The addon, or undefined when it was not built (no compiler at install) or ROCKETTS_NATIVE=0: the
 * callers then take their JavaScript paths, which produce the same bytes.
 */
export const native: NativeBindings | undefined = loadNative();

function loadNative(): NativeBindings | undefined {
  if (process.env.ROCKETTS_NATIVE === '0') return undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(NATIVE_ADDON_PATH) as NativeBindings;
  } catch {
    return undefined;
  }
}

/** How the store computes CRCs, for the startup log. */
export function crcImplementation(): string {
  if (!native) return 'javascript';
  return native.accelerated ? 'native-pclmul' : 'native-table';
}
