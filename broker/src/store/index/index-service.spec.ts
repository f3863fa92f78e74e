import { javaHashCode } from '@rocketts/protocol';
import { describe, expect, it } from 'vitest';
import { indexKeyHash } from './index-service';

describe('indexKeyHash', () => {
  it('is |hashCode| of "topic#key", as IndexService.indexKeyHashMethod builds it', () => {
    const cases: [string, string][] = [
      ['TopicTest', 'OrderID188'],
      ['BenchBatch_12345', '7F00000100002694A1B2C3D4E5F60001'],
      ['', ''],
      ['t', 'clé-ключ-鍵'],
      ['%RETRY%group', 'k'.repeat(300)],
    ];
    for (const [topic, key] of cases) {
      const h = javaHashCode(`${topic}#${key}`);
      expect(indexKeyHash(topic, key)).toBe(h === -2147483648 ? 0 : Math.abs(h));
    }
  });
});
