export * from './logger';
export * from './remoting';
export * from './errors';
export * from './route';
export * from './producer';
export * from './consumer';
export * from './admin';
export {
  CLIENT_OPTION_KEYS,
  DEFAULT_POLL_NAME_SERVER_INTERVAL_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type ClientOptions,
} from './options/client-options';
export { NAMESRV_ADDR_ENV, parseNamesrvAddr } from './options/namesrv-addr';
export { ServiceStateName, type ServiceStateValue } from './client/service-state';
