/** A broker sees few topic names; past this many distinct ones the cache starts over. */
const MAX_TOPICS = 4096;

/**
 * UTF-8 bytes of each topic name, encoded once: every record repeats its topic, and encoding it per
 * record (a length scan and a write through Buffer's native string path) cost ~100 ns each time.
 */
export class EncodedTopics {
  private readonly bytes = new Map<string, Buffer>();

  of(topic: string): Buffer {
    let b = this.bytes.get(topic);
    if (b === undefined) {
      if (this.bytes.size >= MAX_TOPICS) this.bytes.clear();
      b = Buffer.from(topic, 'utf8');
      this.bytes.set(topic, b);
    }
    return b;
  }
}
