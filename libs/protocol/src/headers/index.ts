export * from './header-codec';
export * from './send-headers';
export * from './pull-headers';
export * from './offset-headers';
export * from './query-headers';
export * from './client-headers';
export * from './admin-headers';
export * from './namesrv-headers';
