export * from './namesrv-client';
export * from './topic-publish-info';
export * from './topic-route-cache';
