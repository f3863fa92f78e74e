import { describe, expect, it } from 'vitest';
import { ResponseCode } from '../codes/response-code';
import { RESPONSE_ERRORS, ResponseError } from './response-errors';
import { RocketError } from './rocket-error';

describe('response error table', () => {
  it('has a row for every ResponseCode and no extra rows', () => {
    expect(Object.keys(RESPONSE_ERRORS).sort()).toEqual(Object.keys(ResponseCode).sort());
  });

  it('marks the Java producer retry set retriable and MESSAGE_ILLEGAL not', () => {
    for (const code of [
      'TOPIC_NOT_EXIST',
      'SERVICE_NOT_AVAILABLE',
      'SYSTEM_ERROR',
      'SYSTEM_BUSY',
      'NO_PERMISSION',
      'GO_AWAY',
    ] as const) {
      expect(RESPONSE_ERRORS[code].retriable).toBe(true);
    }
    expect(RESPONSE_ERRORS.MESSAGE_ILLEGAL.retriable).toBe(false);
  });

  it('builds typed errors carrying code, remark and address', () => {
    const e = new ResponseError(ResponseCode.TOPIC_NOT_EXIST, 'topic[x] not exist', '127.0.0.1:10911', 310);
    expect(e).toBeInstanceOf(RocketError);
    expect(e).toMatchObject({
      code: 'TOPIC_NOT_EXIST',
      retriable: true,
      responseCode: 17,
      addr: '127.0.0.1:10911',
    });
    expect(e.message).toContain('topic[x] not exist');
    expect(new ResponseError(9999, undefined, 'a', 1).code).toBe('UNKNOWN(9999)');
  });
});
