/*
 * Plain-text output as mqadmin prints it: `#Header` columns left-aligned and padded, two spaces apart (the
 * printf("%-32s  %-4s …") lines of its sub-commands), times as UtilAll.timeMillisToHumanString2.
 */

/** Bodies longer than this are cut when printed; the full body goes to the body file. */
export const MAX_PRINTED_BODY_BYTES = 4 * 1024; // 4 KiB

const COLUMN_GAP = '  ';

/** Aligned columns; the last column is not padded, so lines carry no trailing blanks. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join(COLUMN_GAP)
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** `label value` lines with the labels padded as printf("%-20s %s"). */
export function formatFields(fields: readonly (readonly [string, string | number])[]): string {
  return fields.map(([label, value]) => `${label.padEnd(20)} ${value}\n`).join('');
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** "yyyy-MM-dd HH:mm:ss,SSS" in local time (UtilAll.timeMillisToHumanString2). */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`
  );
}

/** The body as UTF-8, cut after MAX_PRINTED_BODY_BYTES with a note of the full size. */
export function bodyText(body: Buffer): string {
  if (body.length <= MAX_PRINTED_BODY_BYTES) return body.toString('utf8');
  return `${body.subarray(0, MAX_PRINTED_BODY_BYTES).toString('utf8')}… (${body.length} bytes, truncated)`;
}

/** A string map as Java's HashMap.toString prints it: `{a=1, b=2}` (keys sorted here, for stable output). */
export function javaMapString(map: Readonly<Record<string, string>>): string {
  const entries = Object.keys(map)
    .sort()
    .map((k) => `${k}=${map[k]}`);
  return `{${entries.join(', ')}}`;
}

/** "yyyy-MM-dd HH:mm:ss" in local time (UtilAll.YYYY_MM_DD_HH_MM_SS, consumerProgress's #LastTime). */
export function formatSeconds(ms: number): string {
  return formatTimestamp(ms).slice(0, 19);
}

/** MQVersion.getVersionDesc: "V4_9_8", "V5_0_0_SNAPSHOT"; versions before 4.0.0 by number. */
export function versionDesc(ordinal: number): string {
  const FIRST_4X_SNAPSHOT = 212; // ordinal of V4_0_0_SNAPSHOT; V4_0_0 = 213, then SNAPSHOT/release pairs
  if (!Number.isInteger(ordinal) || ordinal < FIRST_4X_SNAPSHOT) return `version ${ordinal}`;
  const snapshot = (ordinal - FIRST_4X_SNAPSHOT) % 2 === 0;
  const k = (ordinal + (snapshot ? 1 : 0) - 213) / 2;
  return `V${4 + Math.floor(k / 100)}_${Math.floor((k % 100) / 10)}_${k % 10}${snapshot ? '_SNAPSHOT' : ''}`;
}
