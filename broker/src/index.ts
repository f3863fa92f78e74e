export { BrokerController, type BrokerStartInfo } from './broker-controller';
export { NamesrvController, resolveNamesrvConfig } from './namesrv';
export { resolveBrokerConfig, type ResolvedBrokerConfig } from './config';
export { MessageStore } from './store/message-store';
export * from './launcher/process-launcher';
