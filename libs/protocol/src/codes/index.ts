export * from './request-code';
export * from './response-code';
export * from './language-code';
export * from './version';
export * from './flags';
