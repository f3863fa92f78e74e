export * from './codes';
export * from './errors';
export * from './remoting';
export * from './headers';
export * from './message';
export * from './json';
export * from './bodies';
export * from './filter';
