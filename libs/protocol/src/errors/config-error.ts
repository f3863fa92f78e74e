import { RocketError } from './rocket-error';

/** A configuration value is invalid; the process refuses to start and names the key. */
export class ConfigError extends RocketError {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`config key '${key}': ${message}`, { code: 'CONFIG_INVALID', retriable: false });
  }
}
