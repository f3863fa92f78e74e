/** The admin verbs need the Admin client, which lands in the next commit. */
export async function adminCommand(_argv: string[]): Promise<number> {
  process.stderr.write('rocketts admin: not available in this build\n');
  return 1;
}
