/** An expected failure of a verb (nothing found, nothing to do): printed as one line, exit code 1. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}
