export { NamesrvController, type NamesrvControllerOptions, type NamesrvStats } from './namesrv-controller';
export {
  resolveNamesrvConfig,
  defaultKvConfigPath,
  type ResolveNamesrvConfigOptions,
} from './namesrv-config';
export { NAMESPACE_ORDER_TOPIC_CONFIG } from './kv-config-manager';
export type { NamesrvConfig } from '../config/broker-config';
