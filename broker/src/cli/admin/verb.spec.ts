import { afterEach, describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../args';
import { adminCommand } from '../admin-commands';
import { defineVerb, NAMESRV_OPTION, VerbArgs, type VerbOutput } from './verb';

const verb = defineVerb({
  name: 'demo',
  description: 'Demo verb',
  options: [
    NAMESRV_OPTION,
    { short: 't', long: 'topic', arg: 'topic', description: 'topic name', required: true },
    { short: 'r', long: 'readQueueNums', arg: 'n', description: 'queues' },
    { short: 'o', long: 'order', arg: 'order', description: 'ordered' },
  ],
  run: async () => undefined,
});

const check = (...argv: string[]): VerbArgs => VerbArgs.check(parseArgs(argv), verb.options);

function capture(): VerbOutput & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (t: string) => void (io.stdout += t),
    warn: (t: string) => void (io.stderr += t),
  };
  return io;
}

const savedNamesrv = process.env.NAMESRV_ADDR;
afterEach(() => {
  if (savedNamesrv === undefined) delete process.env.NAMESRV_ADDR;
  else process.env.NAMESRV_ADDR = savedNamesrv;
});

describe('VerbArgs', () => {
  it('reads short and long options, integers and booleans', () => {
    const a = check('-n', 'h:1', '--topic', 'T', '-r=4', '-o');
    expect([
      a.required('namesrvAddr'),
      a.required('topic'),
      a.int('readQueueNums'),
      a.bool('order', false),
    ]).toEqual(['h:1', 'T', 4, true]);
    expect(check('-n', 'h:1', '-t', 'T', '-o', 'false').bool('order', true)).toBe(false);
    expect(check('-n', 'h:1', '-t', 'T').intOr('readQueueNums', 8)).toBe(8);
  });

  it.each([
    [['-t', 'T'], /missing required option -n <namesrvAddr> \(or set \$NAMESRV_ADDR\)/],
    [['-n', 'h:1'], /missing required option -t <topic>/],
    [['-n', 'h:1', '-t', 'T', '-x', '1'], /unknown option -x/],
    [['-n', 'h:1', '-t', 'T', '--bogus'], /unknown option --bogus/],
    [['-n', 'h:1', '-t', 'T', 'extra'], /unexpected argument 'extra'/],
  ])('rejects %j', (argv, message) => {
    delete process.env.NAMESRV_ADDR;
    expect(() => check(...argv)).toThrow(message);
  });

  it('rejects malformed values when read', () => {
    expect(() => check('-n', 'h:1', '-t', 'T', '-r', '4x').int('readQueueNums')).toThrow(
      /-r <n> must be a non-negative integer, got '4x'/,
    );
    expect(() => check('-n', 'h:1', '-t', 'T', '-o', 'yes').bool('order', false)).toThrow(UsageError);
    expect(() => check('-n', 'h:1', '-t').required('topic')).toThrow(/option -t <topic> needs a value/);
  });

  it('takes the name server from $NAMESRV_ADDR when -n is absent', () => {
    process.env.NAMESRV_ADDR = 'env:9876';
    expect(check('-t', 'T').required('namesrvAddr')).toBe('env:9876');
    expect(check('-n', 'flag:1', '-t', 'T').required('namesrvAddr')).toBe('flag:1');
  });

  it('builds the usage from the options', () => {
    expect(verb.usage).toMatch(
      /^usage: rocketts admin demo -n <namesrvAddr> -t <topic> \[-r <n>\] \[-o <order>\]\n/,
    );
    expect(verb.usage).toMatch(/^ -t,--topic <topic> +topic name$/m);
  });
});

describe('adminCommand without a cluster', () => {
  it('lists verbs for help and prints a verb usage for help <verb> and -h', async () => {
    const io = capture();
    expect(await adminCommand(['help'], io)).toBe(0);
    expect(io.stdout).toMatch(/^ {3}consumeMessage +Consume message$/m);
    const one = capture();
    expect(await adminCommand(['topicStatus', '-h'], one)).toBe(0);
    expect(one.stdout).toMatch(/^usage: rocketts admin topicStatus /);
  });

  it('exits 2 for an unknown verb and for a bad value, with the usage on stderr', async () => {
    const io = capture();
    expect(await adminCommand(['nope'], io)).toBe(2);
    expect(io.stderr).toMatch(/^rocketts admin: unknown command 'nope'/);
    const bad = capture();
    expect(await adminCommand(['updateTopic', '-n', 'h:1', '-c', 'C', '-t', 'T', '-w', 'x'], bad)).toBe(2);
    expect(bad.stderr).toMatch(/^rocketts admin updateTopic: option -w <writeQueueNums> must be/);
    expect(bad.stderr).toContain('usage: rocketts admin updateTopic');
    expect(bad.stdout).toBe('');
  });
});
