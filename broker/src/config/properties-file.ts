import { readFileSync } from 'node:fs';
import { ConfigError } from '@rocketts/protocol';

/**
 * Parse a Java properties file (broker.conf): `key=value` or `key: value`, `#`/`!` comments,
 * backslash line continuations. Enough of java.util.Properties for RocketMQ's config files.
 */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').trim();
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + (lines[++i] ?? '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) out[m[1] as string] = (m[2] as string).trim();
    else out[line] = '';
  }
  return out;
}

export function readPropertiesFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('configFile', `cannot read ${path}: ${(err as Error).message}`);
  }
  return parseProperties(text);
}

export function formatProperties(values: Record<string, unknown>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('\n');
}
