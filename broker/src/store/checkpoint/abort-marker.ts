import { existsSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * The `abort` file exists while the store runs and is removed by a clean shutdown; finding it at
 * start means the last run crashed and recovery must not trust what was in flight.
 */
export class AbortMarker {
  constructor(private readonly path: string) {}

  /** Whether the previous run ended without a clean shutdown. */
  wasAbnormal(): boolean {
    return existsSync(this.path);
  }

  create(): void {
    writeFileSync(this.path, `${process.pid}\n`);
  }

  remove(): void {
    if (existsSync(this.path)) unlinkSync(this.path);
  }
}
