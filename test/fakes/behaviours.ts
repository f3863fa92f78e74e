import type { RemotingCommand } from '@rocketts/protocol';

/*
 * What the fake broker does with one request. A script is a list of these (or of handlers producing
 * them), consumed one per request of a code; when it runs out the code's default applies.
 */
export type Behaviour =
  /** Answer with this code, optionally after `delayMs` ("answer late"). */
  | {
      kind: 'respond';
      code: number;
      extFields?: Record<string, string>;
      body?: Buffer;
      remark?: string;
      delayMs?: number;
    }
  /** Never answer; the client's timeout must fire. */
  | { kind: 'noResponse' }
  /** Close the connection at once, without answering. */
  | { kind: 'drop' }
  /** Write the first half of a SUCCESS answer frame, then close the connection. */
  | { kind: 'dropMidFrame' }
  /** Write a frame whose length field is smaller than the 4-byte header word (malformed). */
  | { kind: 'wrongLength' };

export interface FakeRequestContext {
  /** 1-based number of the connection the request arrived on. */
  connectionId: number;
}

export type FakeHandler = (req: RemotingCommand, ctx: FakeRequestContext) => Behaviour | Promise<Behaviour>;

/** One scripted step: a fixed behaviour or a function of the request. */
export type Step = Behaviour | FakeHandler;

export function respond(
  code: number,
  extFields?: Record<string, string>,
  body?: Buffer,
  remark?: string,
): Behaviour {
  return { kind: 'respond', code, extFields, body, remark };
}

/** Answer after `delayMs`. */
export function late(delayMs: number, behaviour: Behaviour): Behaviour {
  if (behaviour.kind !== 'respond') throw new TypeError('only a respond behaviour can be late');
  return { ...behaviour, delayMs };
}

export const never = (): Behaviour => ({ kind: 'noResponse' });
export const drop = (): Behaviour => ({ kind: 'drop' });
export const dropMidFrame = (): Behaviour => ({ kind: 'dropMidFrame' });
export const wrongLength = (): Behaviour => ({ kind: 'wrongLength' });
