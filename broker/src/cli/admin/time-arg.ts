import { UsageError } from '../args';

/**
 * A time on the command line as ResetOffsetByTimeCommand reads it: "now", ms since the epoch, or
 * yyyy-MM-dd#HH:mm:ss:SSS in local time (UtilAll.YYYY_MM_DD_HH_MM_SS_SSS). Returns ms.
 */
export function parseTimeArg(text: string, option: string, now = Date.now()): number {
  const s = text.trim();
  if (s === 'now') return now;
  if (/^-?\d+$/.test(s)) {
    const n = Number(s);
    if (Number.isSafeInteger(n) && n >= -1) return n;
  }
  const m = /^(\d{4})-(\d\d)-(\d\d)#(\d\d):(\d\d):(\d\d):(\d{3})$/.exec(s);
  if (m) {
    const [y, mo, d, h, mi, se, ms] = m.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const date = new Date(y, mo - 1, d, h, mi, se, ms);
    // Date rolls over out-of-range fields (Feb 30 → Mar 2); a real calendar time reads back the same.
    if (date.getMonth() === mo - 1 && date.getDate() === d && h < 24 && mi < 60 && se < 60)
      return date.getTime();
  }
  throw new UsageError(
    `option ${option} must be now, ms since the epoch or yyyy-MM-dd#HH:mm:ss:SSS, got '${text}'`,
  );
}
