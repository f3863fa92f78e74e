/** LanguageCode: JSON headers carry the name, ROCKETMQ binary headers the byte. */
export const LanguageCode = {
  JAVA: 0,
  CPP: 1,
  DOTNET: 2,
  PYTHON: 3,
  DELPHI: 4,
  ERLANG: 5,
  RUBY: 6,
  OTHER: 7,
  HTTP: 8,
  GO: 9,
  PHP: 10,
  OMS: 11,
  RUST: 12, // 4.9.4+
  NODE_JS: 13, // 5.3.2+; older brokers decode it as null, so clients send JAVA
} as const;

export type LanguageName = keyof typeof LanguageCode;

const BY_BYTE: readonly LanguageName[] = Object.keys(LanguageCode) as LanguageName[];

export function languageFromByte(b: number): LanguageName {
  return BY_BYTE[b] ?? 'OTHER';
}

export function languageToByte(name: string): number {
  return (LanguageCode as Record<string, number>)[name] ?? LanguageCode.OTHER;
}
