export * from './mq-client-error';
export * from './request-timeout-error';
