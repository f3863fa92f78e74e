export * from './logger';
export * from './remoting';
