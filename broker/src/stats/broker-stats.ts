/** Counters behind GET_BROKER_RUNTIME_INFO and /metrics (BrokerStatsManager, reduced). */
export class BrokerStats {
  readonly bootTimestamp = Date.now();
  messagesPut = 0;
  bytesPut = 0;
  messagesGot = 0;
  bytesGot = 0;
  sendFailures = 0;
  private dayStart = startOfDay(Date.now());
  private putToday = 0;
  private gotToday = 0;

  recordPut(messages: number, bytes: number): void {
    this.rollDay();
    this.messagesPut += messages;
    this.bytesPut += bytes;
    this.putToday += messages;
  }

  recordGet(messages: number, bytes: number): void {
    this.rollDay();
    this.messagesGot += messages;
    this.bytesGot += bytes;
    this.gotToday += messages;
  }

  get putTodayNow(): number {
    this.rollDay();
    return this.putToday;
  }

  get gotTodayNow(): number {
    this.rollDay();
    return this.gotToday;
  }

  private rollDay(): void {
    const now = Date.now();
    if (now - this.dayStart >= 86_400_000) {
      this.dayStart = startOfDay(now);
      this.putToday = 0;
      this.gotToday = 0;
    }
  }
}

function startOfDay(ms: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}
