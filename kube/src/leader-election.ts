import { isAlreadyExists, isConflict, isNotFound, type KubeApi } from './api.js';
import { backoffDelay, sleep } from './backoff.js';
import type { Logger } from './log.js';
import { type KubeObject, leaseType } from './objects.js';

interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  /** Give up leadership when renewals have failed for this long (less than the lease duration). */
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/**
 * What is left of a renewal's deadline: renewals count from when the last successful one started
 * (the lease may have been written as early as that), so leadership is given up before the lease
 * can expire for the other candidates (renewDeadline < leaseDuration).
 */
export const renewalTimeLeft = (renewedFrom: number, now: number, renewDeadlineMs: number) =>
  renewedFrom + renewDeadlineMs - now;

/** metav1.MicroTime wants exactly six fractional digits. */
const microTime = (at = new Date()) => at.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/**
 * Leader election on a coordination.k8s.io Lease, as client-go does it: a lease is expired when its
 * record has not changed for leaseDuration on this replica's own clock (no clock comparison across
 * machines); updates carry the resourceVersion, so two candidates never both win.
 */
export class LeaderElector {
  #observed = '';
  #observedAt = 0;
  #lease: Lease | undefined;
  #leading = false;
  readonly #stop = new AbortController();
  #renewLoop: Promise<void> | undefined;

  constructor(
    private readonly api: KubeApi,
    private readonly options: LeaderElectionOptions,
    private readonly log: Logger,
  ) {}

  get leading(): boolean {
    return this.#leading;
  }

  /** Resolves once this replica leads (false if stopped first); then renews until `onLost`. */
  async acquire(onLost: () => void): Promise<boolean> {
    let attempt = 0;
    while (!this.#stop.signal.aborted) {
      const startedAt = Date.now();
      if (await this.#attempt(this.options.renewDeadlineMs)) {
        this.#leading = true;
        this.log.info('became leader', { lease: `${this.options.namespace}/${this.options.name}` });
        this.#renewLoop = this.#renew(onLost, startedAt);
        return true;
      }
      await sleep(
        Math.min(this.options.retryPeriodMs, backoffDelay(attempt++, 200, this.options.retryPeriodMs)),
        this.#stop.signal,
      );
    }
    return false;
  }

  /** Stops renewing and, if leading, hands the lease back so a successor need not wait for it to expire. */
  async release(): Promise<void> {
    this.#stop.abort();
    await this.#renewLoop;
    if (!this.#leading || !this.#lease) return;
    this.#leading = false;
    const now = microTime();
    await this.api
      .request('PUT', leaseType.path(this.options.namespace, this.options.name), {
        body: { ...this.#lease, spec: { leaseDurationSeconds: 1, acquireTime: now, renewTime: now } },
      })
      .then(
        () => this.log.info('released the leader lease'),
        (error: unknown) => this.log.warn('could not release the leader lease', { error }),
      );
  }

  /**
   * Renews every retry period. Each attempt, its requests included, is aborted when the renew
   * deadline since the start of the last successful renewal passes: a stalled API server must not
   * keep this replica leading once the others may take the lease.
   */
  async #renew(onLost: () => void, acquiredFrom: number): Promise<void> {
    let renewedFrom = acquiredFrom;
    while (!this.#stop.signal.aborted) {
      await sleep(this.options.retryPeriodMs, this.#stop.signal);
      if (this.#stop.signal.aborted) return;
      const startedAt = Date.now();
      const timeLeft = renewalTimeLeft(renewedFrom, startedAt, this.options.renewDeadlineMs);
      const renewed = timeLeft > 0 && (await this.#attempt(timeLeft));
      if (this.#stop.signal.aborted) return;
      if (renewed) renewedFrom = startedAt;
      else if (renewalTimeLeft(renewedFrom, Date.now(), this.options.renewDeadlineMs) <= 0) {
        this.#leading = false;
        this.log.error('lost the leader lease', { lease: `${this.options.namespace}/${this.options.name}` });
        onLost();
        return;
      }
    }
  }

  /**
   * One acquire-or-renew, aborted after `timeoutMs`; false when it failed. Release lets a renewal in
   * flight finish, so the lease it hands back carries the latest resourceVersion.
   */
  async #attempt(timeoutMs: number): Promise<boolean> {
    const signal = AbortSignal.timeout(timeoutMs);
    return this.#tryAcquireOrRenew(signal).catch((error: unknown) =>
      this.#warn(signal.aborted ? new Error(`gave up after ${timeoutMs} ms`) : error),
    );
  }

  #warn(error: unknown): false {
    this.log.warn('leader election request failed', { error });
    return false;
  }

  /** Creates the Lease, held by us; false when another candidate created it first. */
  async #create(spec: Lease['spec'], signal: AbortSignal): Promise<boolean> {
    const { namespace, name } = this.options;
    try {
      this.#lease = await this.api.request<Lease>('POST', leaseType.path(namespace), {
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec },
        signal,
      });
      return true;
    } catch (error) {
      if (isAlreadyExists(error)) return false;
      throw error;
    }
  }

  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { namespace, name, identity, leaseDurationMs } = this.options;
    const now = microTime();
    const spec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
      renewTime: now,
    };
    let lease: Lease;
    try {
      lease = await this.api.request<Lease>('GET', leaseType.path(namespace, name), { signal });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      return this.#create({ ...spec, acquireTime: now, leaseTransitions: 0 }, signal);
    }
    const record = JSON.stringify(lease.spec ?? {});
    if (record !== this.#observed) {
      this.#observed = record;
      this.#observedAt = Date.now();
    }
    const holder = lease.spec?.holderIdentity;
    const heldByOther =
      holder !== undefined &&
      holder !== '' &&
      holder !== identity &&
      Date.now() - this.#observedAt < leaseDurationMs;
    if (heldByOther) return false;
    const transitions = lease.spec?.leaseTransitions ?? 0;
    try {
      this.#lease = await this.api.request<Lease>('PUT', leaseType.path(namespace, name), {
        body: {
          ...lease,
          spec: {
            ...spec,
            acquireTime: holder === identity ? lease.spec?.acquireTime : now,
            leaseTransitions: holder === identity ? transitions : transitions + 1,
          },
        },
        signal,
      });
      this.#observed = JSON.stringify(this.#lease.spec ?? {});
      this.#observedAt = Date.now();
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }
}
