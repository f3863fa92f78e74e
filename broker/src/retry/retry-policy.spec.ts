import { describe, expect, it } from 'vitest';
import { MQVersion } from '@rocketts/protocol';
import { decideSendBack, directRetrySendGoesToDlq, maxReconsumeTimesOf } from './retry-policy';

describe('send-back decision (§11.2 steps 5–6)', () => {
  it('retries at level 3 + reconsumeTimes when the client leaves the delay to the broker', () => {
    expect(Array.from({ length: 16 }, (_, reconsumeTimes) => decideSendBack(reconsumeTimes, 0, 16))).toEqual(
      Array.from({ length: 16 }, (_, i) => ({ target: 'RETRY', delayLevel: 3 + i })),
    );
  });

  it("uses the client's level when it gives one", () => {
    expect(decideSendBack(0, 1, 16)).toEqual({ target: 'RETRY', delayLevel: 1 });
    expect(decideSendBack(5, 7, 16)).toEqual({ target: 'RETRY', delayLevel: 7 });
  });

  it('sends to the DLQ once reconsumeTimes reaches the limit', () => {
    expect(decideSendBack(15, 0, 16)).toEqual({ target: 'RETRY', delayLevel: 18 });
    expect(decideSendBack(16, 0, 16)).toEqual({ target: 'DLQ' });
    expect(decideSendBack(17, 3, 16)).toEqual({ target: 'DLQ' });
    expect(decideSendBack(0, 0, 0)).toEqual({ target: 'DLQ' });
    expect(decideSendBack(2, 0, 2)).toEqual({ target: 'DLQ' });
  });

  it('sends to the DLQ at once when the client asks with a negative level', () => {
    expect(decideSendBack(0, -1, 16)).toEqual({ target: 'DLQ' });
  });

  it("takes the request's maxReconsumeTimes from V3_4_9 on, else the group's retryMaxTimes", () => {
    expect(maxReconsumeTimesOf(MQVersion.V3_4_9, 2, 16)).toBe(2);
    expect(maxReconsumeTimesOf(MQVersion.V4_9_8, 0, 16)).toBe(0);
    expect(maxReconsumeTimesOf(MQVersion.V4_9_8, undefined, 16)).toBe(16);
    expect(maxReconsumeTimesOf(MQVersion.V3_4_9 - 1, 2, 16)).toBe(16);
    expect(decideSendBack(2, 0, maxReconsumeTimesOf(MQVersion.V3_4_9, 2, 16))).toEqual({ target: 'DLQ' });
    expect(decideSendBack(2, 0, maxReconsumeTimesOf(0, 2, 16))).toEqual({ target: 'RETRY', delayLevel: 5 });
  });
});

describe('direct send to %RETRY%<group> (client fallback)', () => {
  it('goes to the DLQ only when reconsumeTimes is strictly above the limit', () => {
    expect(directRetrySendGoesToDlq(16, 16)).toBe(false);
    expect(directRetrySendGoesToDlq(17, 16)).toBe(true);
    expect(directRetrySendGoesToDlq(0, 0)).toBe(false);
    expect(directRetrySendGoesToDlq(1, 0)).toBe(true);
  });
});
