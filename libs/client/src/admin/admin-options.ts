import {
  CLIENT_OPTION_KEYS,
  resolveClientConfig,
  type ClientConfig,
  type ClientOptions,
} from '../options/client-options';
import { optionsObject, rejectUnknownKeys } from '../options/validate';

export type AdminOptions = ClientOptions;

export const DEFAULT_ADMIN_TIMEOUT_MS = 5000; // as DefaultMQAdminExt.timeoutMillis

const ADMIN_OPTION_KEYS: Readonly<Record<keyof AdminOptions, true>> = CLIENT_OPTION_KEYS;

/** Admin requests are rare, so JSON headers by default: readable in captures, understood everywhere. */
export function resolveAdminOptions(input: AdminOptions): ClientConfig {
  const o = optionsObject('Admin', input);
  rejectUnknownKeys('Admin', o, ADMIN_OPTION_KEYS);
  return resolveClientConfig(o, {
    component: 'admin',
    serializeType: 'JSON',
    requestTimeoutMs: DEFAULT_ADMIN_TIMEOUT_MS,
  });
}
