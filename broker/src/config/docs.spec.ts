import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BROKER_SCHEMA, NAMESRV_SCHEMA } from './broker-config';
import { SCHEDULE_SCHEMA } from './schedule-config';
import { STORE_SCHEMA } from './store-config';
import { TRANSACTION_SCHEMA } from './transaction-config';

describe('docs/operations.md', () => {
  const doc = readFileSync(join(__dirname, '../../../docs/operations.md'), 'utf8');

  it.each(
    Object.keys({
      ...BROKER_SCHEMA,
      ...STORE_SCHEMA,
      ...SCHEDULE_SCHEMA,
      ...TRANSACTION_SCHEMA,
      ...NAMESRV_SCHEMA,
    }),
  )('documents config key %s', (key) => {
    expect(doc).toContain(`\`${key}\``);
  });
});
