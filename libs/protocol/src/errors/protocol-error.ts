import { RocketError } from './rocket-error';

/** Bytes that do not form a valid remoting frame, header or record. The connection that sent them is closed. */
export class ProtocolError extends RocketError {
  constructor(message: string, code = 'PROTOCOL_ERROR', cause?: unknown) {
    super(message, { code, retriable: false, cause });
  }
}
