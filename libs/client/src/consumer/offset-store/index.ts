export * from './offset-store';
export { RemoteBrokerOffsetStore, type OffsetAddrResolver } from './remote-broker-offset-store';
export {
  DEFAULT_OFFSET_STORE_DIR,
  LocalFileOffsetStore,
  localOffsetsPath,
  OFFSETS_FILE_NAME,
} from './local-file-offset-store';
