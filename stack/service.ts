import type { ServiceName, StackState } from './state.js';

export interface Service {
  name: ServiceName;
  logFile: string;
  /** Where a person or a client reaches it. */
  url(state: StackState): string;
  answers(state: StackState): Promise<boolean>;
  /** Installs or builds what `start` needs (slow the first time, then a quick check). */
  prepare?(progress: (line: string) => void): Promise<void>;
  /** Starts the service and waits until it answers; returns the pid to stop later. */
  start(state: StackState, progress: (line: string) => void): Promise<number>;
  /** Brings a running service's configuration up to this checkout's (one started by an older checkout is reused). */
  reconfigure?(state: StackState): Promise<void>;
  stop(state: StackState): Promise<void>;
}
