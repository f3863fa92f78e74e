import { InvalidArgumentError, RocketError } from '@rocketts/protocol';
import { parseArgs, UsageError } from './args';
import { brokerStatus, clusterList } from './admin/cluster-verbs';
import { CommandError } from './admin/command-error';
import { consumeMessage } from './admin/consume-verb';
import {
  consumerConnection,
  consumerProgress,
  consumerStatus,
  producerConnection,
} from './admin/consumer-verbs';
import { deleteSubGroup, updateSubGroup } from './admin/group-verbs';
import { resendDlq, resetOffsetByTime } from './admin/offset-verbs';
import { queryMsgById, queryMsgByKey, queryMsgByUniqueKey } from './admin/query-verbs';
import { sendMessage } from './admin/send-verb';
import { deleteTopic, topicList, topicRoute, topicStatus, updateTopic } from './admin/topic-verbs';
import { VerbArgs, wantsHelp, type AdminVerb, type VerbOutput } from './admin/verb';

/** The verbs of `rocketts admin`, named and flagged as mqadmin's sub-commands. */
export const ADMIN_VERBS: readonly AdminVerb[] = [
  updateTopic,
  deleteTopic,
  topicList,
  topicRoute,
  topicStatus,
  clusterList,
  brokerStatus,
  updateSubGroup,
  deleteSubGroup,
  consumerProgress,
  consumerConnection,
  producerConnection,
  consumerStatus,
  resetOffsetByTime,
  resendDlq,
  queryMsgById,
  queryMsgByKey,
  queryMsgByUniqueKey,
  sendMessage,
  consumeMessage,
];

export const AdminExitCode = {
  OK: 0,
  /** The command ran and failed: unreachable server, error response, nothing found. */
  FAILED: 1,
  /** Bad command line: unknown verb or option, missing or malformed value. */
  USAGE: 2,
} as const;

const stdio: VerbOutput = {
  out: (text) => process.stdout.write(text),
  warn: (text) => process.stderr.write(text),
};

function verbList(): string {
  const width = Math.max(...ADMIN_VERBS.map((v) => v.name.length)) + 2;
  const lines = ADMIN_VERBS.map((v) => `   ${v.name.padEnd(width)}${v.description}\n`);
  return (
    'The most commonly used rocketts admin commands are:\n' +
    lines.join('') +
    "\nSee 'rocketts admin help <command>' for more information on a specific command.\n"
  );
}

/** One line: the message, and the error code for our own errors; the stack only when debugging. */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = err instanceof RocketError ? ` [${err.code}]` : '';
  const stack = process.env.ROCKETTS_LOG_LEVEL === 'debug' && err.stack ? `\n${err.stack}` : '';
  return `${err.message}${code}${stack}`;
}

function help(topic: string | undefined, io: VerbOutput): number {
  if (topic === undefined) {
    io.out(verbList());
    return AdminExitCode.OK;
  }
  const verb = ADMIN_VERBS.find((v) => v.name === topic);
  if (!verb) {
    io.warn(`rocketts admin: unknown command '${topic}'\n\n${verbList()}`);
    return AdminExitCode.USAGE;
  }
  io.out(verb.usage);
  return AdminExitCode.OK;
}

/**
 * `rocketts admin <verb> [options]` (mqadmin): results on stdout, one-line errors on stderr. Returns the exit
 * code: 0 done, 1 failed, 2 bad usage (with the verb's usage).
 */
export async function adminCommand(argv: string[], io: VerbOutput = stdio): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help') return help(undefined, io);
  if (name === 'help') return help(rest[0], io);
  const verb = ADMIN_VERBS.find((v) => v.name === name);
  if (!verb) {
    io.warn(`rocketts admin: unknown command '${name}'\n\n${verbList()}`);
    return AdminExitCode.USAGE;
  }
  try {
    const parsed = parseArgs(rest);
    if (wantsHelp(parsed)) {
      io.out(verb.usage);
      return AdminExitCode.OK;
    }
    await verb.run(VerbArgs.check(parsed, verb.options), io);
    return AdminExitCode.OK;
  } catch (err) {
    if (err instanceof UsageError || err instanceof InvalidArgumentError) {
      io.warn(`rocketts admin ${verb.name}: ${err.message}\n\n${verb.usage}`);
      return AdminExitCode.USAGE;
    }
    const prefix = `rocketts admin ${verb.name}`;
    io.warn(
      err instanceof CommandError
        ? `${prefix}: ${err.message}\n`
        : `${prefix} failed: ${describeError(err)}\n`,
    );
    return AdminExitCode.FAILED;
  }
}
