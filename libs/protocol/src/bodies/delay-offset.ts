import { stringifyJavaJson } from '../json/java-json';
import { num, optObj, parseBody } from './body-reader';

/**
 * DelayOffsetSerializeWrapper: the schedule service's cursor per delay level, as stored in
 * delayOffset.json and answered to GET_ALL_DELAY_OFFSET (45). Level keys are bare numbers, as
 * fastjson writes a Map<Integer, Long>: `{"offsetTable":{1:5,2:0}}`.
 */
export function encodeDelayOffsetTable(offsets: ReadonlyMap<number, number>): Buffer {
  return Buffer.from(stringifyJavaJson({ offsetTable: new Map(offsets) }), 'utf8');
}

/** Level → next logical offset to deliver in SCHEDULE_TOPIC_XXXX queue level − 1. */
export function decodeDelayOffsetTable(body: Buffer | undefined): Map<number, number> {
  const table = optObj(parseBody(body, 'DelayOffsetSerializeWrapper').offsetTable, 'offsetTable');
  const out = new Map<number, number>();
  for (const [level, offset] of Object.entries(table)) {
    const l = Number(level);
    if (!Number.isInteger(l)) continue;
    out.set(l, num(offset, `offsetTable.${level}`));
  }
  return out;
}
