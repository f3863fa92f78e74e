export * from './pull-consumer';
export * from './pull-consumer-options';
export * from './pull-result';
export * from './subscription';
export * from './lite';
export * from './push';
export * from './offset-store';
export * from './rebalance/allocate-strategy';
