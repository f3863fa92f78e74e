import {
  createResponse,
  decodeMessageRecord,
  MessageProperty,
  QueryMessageRequestHeader,
  QueryMessageResponseHeader,
  RequestCode,
  ResponseCode,
  ViewMessageRequestHeader,
  type RemotingCommand,
} from '@rocketts/protocol';
import type { BrokerContext } from '../broker-context';
import type { RequestProcessor } from '../remoting/request-processor';

/** QUERY_MESSAGE (by key or unique key) and VIEW_MESSAGE_BY_ID (by commit-log offset) — QueryMessageProcessor.java. */
export class QueryMessageProcessor {
  static readonly codes = [RequestCode.QUERY_MESSAGE, RequestCode.VIEW_MESSAGE_BY_ID];

  constructor(private readonly ctx: BrokerContext) {}

  readonly process: RequestProcessor['process'] = (cmd) =>
    cmd.code === RequestCode.QUERY_MESSAGE ? this.query(cmd) : this.view(cmd);

  private query(cmd: RemotingCommand): RemotingCommand {
    const h = QueryMessageRequestHeader.decode(cmd.extFields);
    const maxNum = h._UNIQUE_KEY_QUERY ? this.ctx.storeConfig.defaultQueryMaxNum : h.maxNum;
    const r = this.ctx.store.queryMessage(
      h.topic,
      h.key,
      Math.max(1, maxNum),
      h.beginTimestamp,
      h.endTimestamp,
    );
    // The index matches by hash; keep only records whose KEYS or UNIQ_KEY really is the key.
    const records = r.records.filter((rec) => {
      const m = decodeMessageRecord(rec);
      return (
        m.topic === h.topic && (m.keys.includes(h.key) || m.properties[MessageProperty.UNIQ_KEY] === h.key)
      );
    });
    const header = QueryMessageResponseHeader.encode({
      indexLastUpdateTimestamp: r.indexLastUpdateTimestamp,
      indexLastUpdatePhyoffset: r.indexLastUpdatePhyoffset,
    });
    if (records.length === 0)
      return createResponse(
        cmd,
        ResponseCode.QUERY_NOT_FOUND,
        'can not find message, maybe time range not correct',
        header,
      );
    return createResponse(cmd, ResponseCode.SUCCESS, undefined, header, Buffer.concat(records));
  }

  private view(cmd: RemotingCommand): RemotingCommand {
    const { offset } = ViewMessageRequestHeader.decode(cmd.extFields);
    const rec = this.ctx.store.lookMessageByOffset(offset);
    if (!rec)
      return createResponse(cmd, ResponseCode.SYSTEM_ERROR, `can not find message by the offset, ${offset}`);
    return createResponse(cmd, ResponseCode.SUCCESS, undefined, undefined, rec);
  }
}
