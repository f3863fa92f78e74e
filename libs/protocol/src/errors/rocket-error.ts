export interface RocketErrorOptions {
  /** Stable machine-readable code, e.g. `REMOTING_TIMEOUT` or a ResponseCode name. */
  code: string;
  /** Whether the same call may succeed if simply tried again (possibly elsewhere). */
  retriable?: boolean;
  cause?: unknown;
}

/** The one base of every error RocketTS throws on purpose. */
export class RocketError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(message: string, options: RocketErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retriable = options.retriable ?? false;
  }
}
