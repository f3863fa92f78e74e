export * from './socket-channel';
export * from './remoting-client';
