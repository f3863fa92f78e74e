export * from './mq-client-error';
