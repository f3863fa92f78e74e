import { StateError } from '@rocketts/protocol';

/** Lifecycle of a producer, consumer or admin (ServiceState.java). */
export const ServiceStateName = {
  CREATE_JUST: 'CREATE_JUST',
  RUNNING: 'RUNNING',
  SHUTDOWN_ALREADY: 'SHUTDOWN_ALREADY',
  START_FAILED: 'START_FAILED',
} as const;

export type ServiceStateValue = (typeof ServiceStateName)[keyof typeof ServiceStateName];

export class ServiceState {
  private current: ServiceStateValue = ServiceStateName.CREATE_JUST;

  constructor(private readonly what: string) {}

  get value(): ServiceStateValue {
    return this.current;
  }

  /** Move CREATE_JUST → RUNNING; a second start is a StateError, as in Java. */
  beginStart(): void {
    if (this.current !== ServiceStateName.CREATE_JUST) {
      throw new StateError(`${this.what} cannot start: state is ${this.current}`);
    }
    this.current = ServiceStateName.RUNNING;
  }

  startFailed(): void {
    this.current = ServiceStateName.START_FAILED;
  }

  assertRunning(): void {
    if (this.current !== ServiceStateName.RUNNING) {
      throw new StateError(
        this.current === ServiceStateName.CREATE_JUST
          ? `${this.what} is not started; call start() first`
          : `${this.what} is not running (state ${this.current})`,
      );
    }
  }

  /** Returns false when already shut down, so shutdown() is idempotent. */
  beginShutdown(): boolean {
    if (this.current === ServiceStateName.SHUTDOWN_ALREADY) return false;
    this.current = ServiceStateName.SHUTDOWN_ALREADY;
    return true;
  }
}
