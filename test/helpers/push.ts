import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'vitest';
import { messageQueueKey, type MessageQueue } from '@rocketts/protocol';
import { PushConsumer, silentLogger, type MessageListener, type PushConsumerOptions } from '@rocketts/client';

/** Poll `check` until it returns true; throws naming `what` after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Assignment of one member, for the disjoint-and-complete check. */
export interface Member {
  name: string;
  queues(): MessageQueue[];
}

export const memberOf = (name: string, c: PushConsumer, topic: string): Member => ({
  name,
  queues: () => c.assignment().filter((mq) => mq.topic === topic),
});

/** Whether the members' queues are pairwise disjoint and together exactly `all`. */
export function disjointAndComplete(members: readonly Member[], all: readonly MessageQueue[]): boolean {
  const seen = new Set<string>();
  for (const m of members) {
    for (const mq of m.queues()) {
      const key = messageQueueKey(mq);
      if (seen.has(key)) return false;
      seen.add(key);
    }
  }
  return seen.size === all.length && all.every((mq) => seen.has(messageQueueKey(mq)));
}

/** Wait until the members' assignments settle disjoint and complete, then assert it. */
export async function expectBalanced(
  members: readonly Member[],
  all: readonly MessageQueue[],
): Promise<void> {
  await eventually(
    () => disjointAndComplete(members, all),
    `disjoint and complete assignment over ${members.map((m) => m.name).join(', ')}`,
  ).catch((err: Error) => {
    const state = members
      .map(
        (m) =>
          `${m.name}: ${m
            .queues()
            .map((q) => q.queueId)
            .join(',')}`,
      )
      .join('; ');
    throw new Error(`${err.message} — ${state}`);
  });
  expect(disjointAndComplete(members, all)).toBe(true);
}

const CLIENT_DIST = resolve(__dirname, '../../libs/client/dist/index.js');

/** A push consumer in a child process (to be killed with SIGKILL), reporting on stdout. */
export interface ChildConsumer {
  proc: ChildProcess;
  /** msgIds the child's handler was given, in order. */
  received: string[];
  /** The child's latest assignment of the topic (queue ids). */
  assignment: number[];
  ready: Promise<string>;
  kill(): Promise<void>;
}

/**
 * Run a concurrent PushConsumer of `group` on `topic` in a child process (the built client from
 * libs/client/dist; `npm run build` first). It prints `READY <clientId>`, `GOT <msgId>` before each handler
 * returns (stdout to a pipe is synchronous on Linux, so a line is never lost to a kill after it) and
 * `ASSIGN <ids>` every 100 ms.
 */
export function spawnChildConsumer(o: {
  namesrvAddr: string;
  group: string;
  topic: string;
  /** Time each handler call takes (ms): a slow child holds many pulled, unconsumed messages when killed. */
  handlerMs?: number;
  concurrency?: number;
}): ChildConsumer {
  if (!existsSync(CLIENT_DIST)) throw new Error('libs/client/dist is missing: run `npm run build` first');
  const code = `
const { PushConsumer, createLogger } = require(${JSON.stringify(CLIENT_DIST)});
const o = JSON.parse(process.env.PUSH_CHILD);
const c = new PushConsumer({
  namesrvAddr: o.namesrvAddr,
  consumerGroup: o.group,
  consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
  persistConsumerOffsetInterval: 200,
  concurrency: o.concurrency ?? 20,
  logger: createLogger('child-consumer', { level: 'warn' }),
});
c.subscribe(o.topic, '*');
c.registerMessageListener({
  consumeConcurrently: async (msgs) => {
    for (const m of msgs) process.stdout.write('GOT ' + m.msgId + '\\n');
    await new Promise((r) => setTimeout(r, o.handlerMs ?? 2));
  },
});
c.start().then(() => {
  process.stdout.write('READY ' + c.clientId + '\\n');
  setInterval(() => {
    const ids = c.assignment().filter((q) => q.topic === o.topic).map((q) => q.queueId);
    process.stdout.write('ASSIGN ' + ids.join(',') + '\\n');
  }, 100);
});
`;
  const proc = spawn(process.execPath, ['-e', code], {
    env: { ...process.env, PUSH_CHILD: JSON.stringify(o) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const child: ChildConsumer = {
    proc,
    received: [],
    assignment: [],
    ready: new Promise<string>((resolveReady, reject) => {
      proc.once('exit', (code) => reject(new Error(`child consumer exited with ${code}`)));
      createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        const [kind, rest = ''] = line.split(' ', 2);
        if (kind === 'GOT') child.received.push(rest);
        else if (kind === 'ASSIGN') child.assignment = rest ? rest.split(',').map(Number) : [];
        else if (kind === 'READY') resolveReady(rest);
      });
    }),
    kill: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    },
  };
  child.ready.catch(() => undefined);
  return child;
}

export interface StartPushConsumer {
  namesrvAddr: string;
  group: string;
  topic: string;
  listener: MessageListener;
  /** Options over the test defaults (from the first offset, offsets persisted every 200 ms). */
  extra?: Partial<PushConsumerOptions>;
  /** Where the consumer's shutdown is registered. */
  stops: (() => Promise<unknown>)[];
  /** Topics whose queues must be held before this resolves (default: `topic`). */
  heldTopics?: string[];
}

/** A started clustering push consumer subscribing `topic` with "*", holding its queues. */
export async function startPushConsumer(o: StartPushConsumer): Promise<PushConsumer> {
  const c = new PushConsumer({
    namesrvAddr: o.namesrvAddr,
    consumerGroup: o.group,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    persistConsumerOffsetInterval: 200,
    logger: silentLogger,
    ...o.extra,
  });
  c.subscribe(o.topic, '*');
  c.registerMessageListener(o.listener);
  await c.start();
  o.stops.push(() => c.shutdown());
  const held = o.heldTopics ?? [o.topic];
  await eventually(
    () => held.every((t) => c.assignment().some((q) => q.topic === t)),
    `queues of ${held.join(', ')} assigned`,
  );
  return c;
}
