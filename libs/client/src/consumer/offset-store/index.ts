export { NO_OFFSET, ReadOffsetType, type OffsetStore, type ReadOffsetTypeValue } from './offset-store';
export { DEFAULT_OFFSET_STORE_DIR, localOffsetsPath, OFFSETS_FILE_NAME } from './local-file-offset-store';
