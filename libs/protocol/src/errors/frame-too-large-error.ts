import { ProtocolError } from './protocol-error';

export class FrameTooLargeError extends ProtocolError {
  constructor(
    readonly frameLength: number,
    readonly maxFrameLength: number,
  ) {
    super(`frame of ${frameLength} bytes exceeds the limit of ${maxFrameLength} bytes`, 'FRAME_TOO_LARGE');
  }
}
