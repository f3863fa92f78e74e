import {
  createResponse,
  encodeKvTable,
  GetKvConfigResponseHeader,
  GetKvListByNamespaceRequestHeader,
  KvConfigRequestHeader,
  PutKvConfigRequestHeader,
  RequestCode,
  ResponseCode,
  type RemotingCommand,
} from '@rocketts/protocol';
import type { RequestProcessor } from '../remoting/request-processor';
import type { KvConfigManager } from './kv-config-manager';

/** PUT / GET / DELETE_KV_CONFIG and GET_KVLIST_BY_NAMESPACE (as DefaultRequestProcessor's KV methods). */
export class KvConfigProcessor implements RequestProcessor {
  readonly codes = [
    RequestCode.PUT_KV_CONFIG,
    RequestCode.GET_KV_CONFIG,
    RequestCode.DELETE_KV_CONFIG,
    RequestCode.GET_KVLIST_BY_NAMESPACE,
  ] as const;

  constructor(private readonly kv: KvConfigManager) {}

  process(cmd: RemotingCommand): RemotingCommand {
    switch (cmd.code) {
      case RequestCode.PUT_KV_CONFIG: {
        const h = PutKvConfigRequestHeader.decode(cmd.extFields);
        this.kv.put(h.namespace, h.key, h.value);
        return createResponse(cmd, ResponseCode.SUCCESS);
      }
      case RequestCode.GET_KV_CONFIG: {
        const h = KvConfigRequestHeader.decode(cmd.extFields);
        const value = this.kv.get(h.namespace, h.key);
        if (value === undefined) {
          return createResponse(
            cmd,
            ResponseCode.QUERY_NOT_FOUND,
            `No config item, Namespace: ${h.namespace} Key: ${h.key}`,
          );
        }
        return createResponse(
          cmd,
          ResponseCode.SUCCESS,
          undefined,
          GetKvConfigResponseHeader.encode({ value }),
        );
      }
      case RequestCode.DELETE_KV_CONFIG: {
        // Deleting a missing key succeeds, as in Java.
        const h = KvConfigRequestHeader.decode(cmd.extFields);
        this.kv.delete(h.namespace, h.key);
        return createResponse(cmd, ResponseCode.SUCCESS);
      }
      default: {
        const h = GetKvListByNamespaceRequestHeader.decode(cmd.extFields);
        const table = this.kv.getKvListByNamespace(h.namespace);
        if (!table)
          return createResponse(
            cmd,
            ResponseCode.QUERY_NOT_FOUND,
            `No config item, Namespace: ${h.namespace}`,
          );
        return createResponse(cmd, ResponseCode.SUCCESS, undefined, undefined, encodeKvTable(table));
      }
    }
  }
}
