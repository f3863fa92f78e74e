import { MessageProperty } from './message-const';
import type { Properties } from './properties';

/** A stored message as decoded from a commit-log record (MessageExt.java). */
export class MessageExt {
  constructor(
    readonly topic: string,
    readonly flag: number,
    readonly properties: Properties,
    /** Body as stored; still compressed when SYSFLAG bit 0 is set unless decoded with `inflate`. */
    readonly body: Buffer,
    readonly queueId: number,
    readonly storeSize: number,
    readonly queueOffset: number,
    readonly sysFlag: number,
    readonly bornTimestamp: number,
    readonly bornHost: string,
    readonly storeTimestamp: number,
    readonly storeHost: string,
    readonly commitLogOffset: number,
    readonly bodyCRC: number,
    readonly reconsumeTimes: number,
    readonly preparedTransactionOffset: number,
    private readonly storeHostBytes: Buffer,
  ) {}

  private offsetId: string | undefined;

  /** Offset message id: store host + port + commit-log offset, upper-case hex (§8.2). */
  get offsetMsgId(): string {
    if (this.offsetId === undefined) {
      const b = Buffer.allocUnsafe(this.storeHostBytes.length + 8);
      this.storeHostBytes.copy(b, 0);
      b.writeUInt32BE(Math.floor(this.commitLogOffset / 0x100000000), this.storeHostBytes.length);
      b.writeUInt32BE(this.commitLogOffset >>> 0, this.storeHostBytes.length + 4);
      this.offsetId = b.toString('hex').toUpperCase();
    }
    return this.offsetId;
  }

  /** The id Java exposes: UNIQ_KEY when the producer set one, else the offset id. */
  get msgId(): string {
    return this.properties[MessageProperty.UNIQ_KEY] ?? this.offsetMsgId;
  }

  get tags(): string | undefined {
    return this.properties[MessageProperty.TAGS];
  }

  get keys(): string[] {
    const k = this.properties[MessageProperty.KEYS];
    return k ? k.split(' ').filter((s) => s.length > 0) : [];
  }
}
