import { MessageSysFlag } from '../codes/flags';
import { decodeHostAddress } from './host-address';
import { readLong } from './long';
import { MessageProperty } from './message-const';
import { decodeProperties, type Properties } from './properties';

/** BORNHOST's offset in a record; STORETIMESTAMP and STOREHOST follow it (§7.1). */
const BORN_HOST_POS = 48;

/**
 * A stored message (MessageExt.java) as a view over its record: fixed fields are read when asked,
 * strings and the property map are decoded on first use and kept. Consumers that only read bodies
 * never pay for properties or host strings.
 */
export class MessageExt {
  private topicText: string | undefined;
  private props: Properties | undefined;
  /** CONSUME_START_TIME as a number until the properties are read (stamped on every consumed message). */
  private consumeStart = 0;
  private offsetId: string | undefined;
  private reconsumeOverride: number | undefined;
  private queueOffsetRead = -1;

  // The layout's fields live on the message itself: one object per consumed message, not two.
  private readonly pos: number;
  readonly storeSize: number;
  readonly sysFlag: number;
  private readonly storeHostPos: number;
  private readonly topicPos: number;
  private readonly topicLen: number;
  private readonly propsPos: number;
  private readonly propsLen: number;

  /** Positions as decodeMessageRecord found them while validating the record, passed flat (no object per message). */
  constructor(
    private readonly buf: Buffer,
    pos: number,
    storeSize: number,
    sysFlag: number,
    topicPos: number,
    topicLen: number,
    propsPos: number,
    propsLen: number,
    /** Body as stored; still compressed when SYSFLAG bit 0 is set unless decoded with `inflate`. */
    readonly body: Buffer,
  ) {
    this.pos = pos;
    this.storeSize = storeSize;
    this.sysFlag = sysFlag;
    this.storeHostPos = pos + BORN_HOST_POS + ((sysFlag & MessageSysFlag.BORNHOST_V6) !== 0 ? 20 : 8) + 8;
    this.topicPos = topicPos;
    this.topicLen = topicLen;
    this.propsPos = propsPos;
    this.propsLen = propsLen;
  }

  get bodyCRC(): number {
    return this.buf.readInt32BE(this.pos + 8);
  }
  get queueId(): number {
    return this.buf.readInt32BE(this.pos + 12);
  }
  get flag(): number {
    return this.buf.readInt32BE(this.pos + 16);
  }
  /** Read once: consumers' process queues key, sort and remove messages by it. */
  get queueOffset(): number {
    if (this.queueOffsetRead < 0) this.queueOffsetRead = readLong(this.buf, this.pos + 20);
    return this.queueOffsetRead;
  }
  get commitLogOffset(): number {
    return readLong(this.buf, this.pos + 28);
  }
  get bornTimestamp(): number {
    return readLong(this.buf, this.pos + 40);
  }
  get bornHost(): string {
    return decodeHostAddress(
      this.buf,
      this.pos + BORN_HOST_POS,
      (this.sysFlag & MessageSysFlag.BORNHOST_V6) !== 0,
    );
  }
  get storeTimestamp(): number {
    return readLong(this.buf, this.storeHostPos - 8);
  }
  get storeHost(): string {
    return decodeHostAddress(this.buf, this.storeHostPos, this.storeV6);
  }
  get reconsumeTimes(): number {
    return this.reconsumeOverride ?? this.buf.readInt32BE(this.storeHostPos + (this.storeV6 ? 20 : 8));
  }
  get preparedTransactionOffset(): number {
    return readLong(this.buf, this.storeHostPos + (this.storeV6 ? 20 : 8) + 4);
  }

  get topic(): string {
    return (this.topicText ??= this.buf.toString('utf8', this.topicPos, this.topicPos + this.topicLen));
  }

  get properties(): Properties {
    if (this.props === undefined) {
      const { propsPos, propsLen } = this;
      this.props =
        propsLen > 0 ? decodeProperties(this.buf.toString('utf8', propsPos, propsPos + propsLen)) : {};
      if (this.consumeStart > 0) this.props[MessageProperty.CONSUME_START_TIME] = String(this.consumeStart);
    }
    return this.props;
  }

  /** CONSUME_START_TIME in ms, 0 when the message was never handed to a handler. */
  get consumeStartTimestamp(): number {
    if (this.props === undefined) return this.consumeStart;
    const text = this.props[MessageProperty.CONSUME_START_TIME];
    return text === undefined ? 0 : Number(text) || 0;
  }

  /** Stamp CONSUME_START_TIME (MessageAccessor.setConsumeStartTimeStamp) without building any string or object. */
  setConsumeStartTimestamp(ms: number): void {
    if (this.props) this.props[MessageProperty.CONSUME_START_TIME] = String(ms);
    else this.consumeStart = ms;
  }

  /**
   * Consumers show a retry message under its original topic (MessageExt.setTopic in Java's
   * resetRetryAndNamespace); the record itself is not changed.
   */
  setTopic(topic: string): void {
    this.topicText = topic;
  }

  /** Orderly consumers count local retries on the message (MessageExt.setReconsumeTimes). */
  setReconsumeTimes(times: number): void {
    this.reconsumeOverride = times;
  }

  /** Offset message id: store host + port + commit-log offset, upper-case hex (§8.2). */
  get offsetMsgId(): string {
    if (this.offsetId === undefined) {
      const hostLen = this.storeV6 ? 20 : 8;
      const b = Buffer.allocUnsafe(hostLen + 8);
      this.buf.copy(b, 0, this.storeHostPos, this.storeHostPos + hostLen);
      this.buf.copy(b, hostLen, this.pos + 28, this.pos + 36);
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

  private get storeV6(): boolean {
    return (this.sysFlag & MessageSysFlag.STOREHOST_V6) !== 0;
  }
}
