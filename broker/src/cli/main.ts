import { CURRENT_VERSION_DESC } from '@rocketts/protocol';
import { parseArgs, UsageError } from './args';
import { describeConfigError, brokerCommand, namesrvCommand } from './server-commands';

const USAGE = `rocketts — RocketMQ-compatible name server, broker and admin tool

Usage:
  rocketts namesrv [-c namesrv.conf] [--port 9876] [--key=value …]
  rocketts broker  -c broker.conf [-n "host:port;host:port"] [--key=value …]
  rocketts admin   <command> [options]        (rocketts admin help lists commands)
  rocketts demo    [--once] [--dir .rocketts-demo]   embedded name server + broker and an order-event round trip
  rocketts version

Config files use RocketMQ's property names (broker.conf). A bad value refuses to start and
names the key; a key this broker does not know is reported as a warning.
SIGTERM or SIGINT stops cleanly: flush, checkpoint, unregister.
`;

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'namesrv':
        await namesrvCommand(parseArgs(rest));
        return;
      case 'broker':
        await brokerCommand(parseArgs(rest));
        return;
      case 'demo': {
        const { demoCommand } = await import('./demo-command');
        await demoCommand(parseArgs(rest));
        return;
      }
      case 'admin': {
        const { adminCommand } = await import('./admin-commands');
        process.exitCode = await adminCommand(rest);
        return;
      }
      case 'version':
        process.stdout.write(`rocketts 0.1.0 (protocol ${CURRENT_VERSION_DESC})\n`);
        return;
      case undefined:
      case 'help':
      case '-h':
      case '--help':
        process.stdout.write(USAGE);
        return;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    const config = describeConfigError(err);
    process.stderr.write(`${config ?? `rocketts ${command ?? ''} failed: ${(err as Error).message}`}\n`);
    process.exit(1);
  }
}
