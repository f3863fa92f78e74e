import type { MappedFile } from '../mapped-file/mapped-file';

/**
 * Lends the memory that will hold the bytes at a log position (the read cache's block), so records are
 * built where readers find them and written to the file from there. onBytesWritten is not called for
 * bytes staged in lent memory.
 */
export interface StagingLender {
  /** Memory for bytes from `position` of `file` on, at least `bytes` long, or undefined. */
  lend(file: MappedFile, position: number, bytes: number): Buffer | undefined;
  /** The lent memory's first `written` bytes are in the file (0: none were); the loan ends. */
  settle(written: number): void;
}
