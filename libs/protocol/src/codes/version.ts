/**
 * `version` on the wire is the ordinal of MQVersion.Version. From 4.0.0 on every release is preceded
 * by its SNAPSHOT entry: ordinal(X.Y.Z) = 213 + 2 × ((X − 4) × 100 + Y × 10 + Z).
 */
export function versionOrdinal(major: 4 | 5, minor: number, patch: number): number {
  return 213 + 2 * ((major - 4) * 100 + minor * 10 + patch);
}

export const MQVersion = {
  V3_4_9: 121, // what ali-ons sends; maxReconsumeTimes honoured from here
  V4_0_0: 213,
  V4_1_0_SNAPSHOT: 232, // Java clients refuse SQL92 pulls to older brokers
  V4_9_4: 401, // namesrv answers standard JSON routes from here
  V4_9_8: 409,
  V5_0_0: 413,
  V5_3_1: 475,
  V5_3_3: 479,
} as const;

/** What our broker, name server and client put in `version`: we speak the 4.9.8 dialect of the protocol. */
export const CURRENT_VERSION = MQVersion.V4_9_8;
export const CURRENT_VERSION_DESC = 'V4_9_8';
