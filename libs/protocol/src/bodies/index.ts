export * from './body-reader';
export * from './message-queue';
export * from './route';
export * from './topic-config';
export * from './heartbeat';
export * from './simple-bodies';
export * from './consume-bodies';
export * from './delay-offset';
