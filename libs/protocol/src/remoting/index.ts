export * from './command';
export * from './json-header';
export * from './rocketmq-header';
export * from './frame-codec';
export * from './frame-decoder';
export * from './frame-reader';
