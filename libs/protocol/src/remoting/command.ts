import { CURRENT_VERSION } from '../codes/version';
import { RemotingFlag, SerializeType, type SerializeTypeValue } from '../codes/flags';

/**
 * One remoting command, request or response (RemotingCommand.java). `extFields` is the custom header:
 * every value is a string on the wire, whatever type the sender used.
 */
export interface RemotingCommand {
  code: number;
  language: string;
  version: number;
  opaque: number;
  flag: number;
  remark?: string | undefined;
  extFields?: Record<string, string> | undefined;
  /**
   * Outbound only: `extFields` already serialized as a JSON object, for hot paths that build it
   * directly. The JSON encoder uses it instead of `extFields`; the binary encoder parses it.
   */
  extFieldsJson?: string | undefined;
  body?: Buffer | undefined;
  /**
   * Outbound only: the body as several buffers written in order (a pull response's records, sent
   * without joining them). Takes the place of `body` when set.
   */
  bodyParts?: Buffer[] | undefined;
  /**
   * Outbound only: called once the frame's buffers are no longer referenced — handed to the kernel, or
   * dropped with a closed connection — so their memory may be reused (the broker's read-cache blocks).
   */
  onWritten?: (() => void) | undefined;
  /** How the header arrived, and how it is encoded unless the sender overrides it. */
  serializeType: SerializeTypeValue;
}

export const isResponse = (cmd: RemotingCommand): boolean => (cmd.flag & RemotingFlag.RESPONSE) !== 0;
export const isOneway = (cmd: RemotingCommand): boolean => (cmd.flag & RemotingFlag.ONEWAY) !== 0;

/** Language we announce: older Java brokers decode unknown names as null, so say JAVA as ali-ons does. */
export const DEFAULT_LANGUAGE = 'JAVA';

export function createRequest(
  code: number,
  extFields?: Record<string, string>,
  body?: Buffer,
  serializeType: SerializeTypeValue = SerializeType.JSON,
): RemotingCommand {
  return {
    code,
    language: DEFAULT_LANGUAGE,
    version: CURRENT_VERSION,
    opaque: 0,
    flag: 0,
    extFields,
    body,
    serializeType,
  };
}

/** A response to `request`: same opaque and serialize type (as 4.x brokers do), response bit set. */
export function createResponse(
  request: Pick<RemotingCommand, 'opaque' | 'serializeType'>,
  code: number,
  remark?: string,
  extFields?: Record<string, string>,
  body?: Buffer,
): RemotingCommand {
  return {
    code,
    language: DEFAULT_LANGUAGE,
    version: CURRENT_VERSION,
    opaque: request.opaque,
    flag: RemotingFlag.RESPONSE,
    remark,
    extFields,
    body,
    serializeType: request.serializeType,
  };
}
