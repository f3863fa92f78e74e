export * from './java-json';
