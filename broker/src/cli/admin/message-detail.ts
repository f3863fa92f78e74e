import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageProperty, type MessageExt } from '@rocketts/protocol';
import { bodyText, formatFields, formatTimestamp, javaMapString } from './format';

/** Where mqadmin keeps message bodies (/tmp/rocketmq/msgbodys), under this system's temp directory. */
export const MSG_BODY_DIR = join(tmpdir(), 'rocketmq', 'msgbodys');

/**
 * Write the body to MSG_BODY_DIR/<offsetMsgId>, as QueryMsgByIdSubCommand.createBodyFile. The offset id is
 * hex we computed, never a property the sender chose, so the path cannot leave the directory.
 */
function writeBodyFile(msg: MessageExt): string {
  try {
    mkdirSync(MSG_BODY_DIR, { recursive: true });
    const path = join(MSG_BODY_DIR, msg.offsetMsgId);
    writeFileSync(path, msg.body);
    return path;
  } catch (err) {
    return `(not written: ${(err as Error).message})`;
  }
}

/**
 * The detail block of QueryMsgByIdSubCommand.printMsg / QueryMsgByUniqueKeySubCommand.showMessage: Java
 * prints null tags and keys as "[null]"; the body is printed as text too, cut when huge.
 */
export function formatMessageDetail(msg: MessageExt): string {
  const keys = msg.properties[MessageProperty.KEYS];
  return formatFields([
    ['OffsetID:', msg.offsetMsgId],
    ['Unique Key:', msg.msgId],
    ['Topic:', msg.topic],
    ['Tags:', `[${msg.tags ?? 'null'}]`],
    ['Keys:', `[${keys ?? 'null'}]`],
    ['Queue ID:', msg.queueId],
    ['Queue Offset:', msg.queueOffset],
    ['CommitLog Offset:', msg.commitLogOffset],
    ['Reconsume Times:', msg.reconsumeTimes],
    ['Born Timestamp:', formatTimestamp(msg.bornTimestamp)],
    ['Store Timestamp:', formatTimestamp(msg.storeTimestamp)],
    ['Born Host:', msg.bornHost],
    ['Store Host:', msg.storeHost],
    ['System Flag:', msg.sysFlag],
    ['Properties:', javaMapString(msg.properties)],
    ['Message Body Path:', writeBodyFile(msg)],
    ['Message Body:', bodyText(msg.body)],
  ]);
}
