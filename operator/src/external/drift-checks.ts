import { checkDrift } from '@prodclass/catalog/drift/check-drift';
import type { DriftCheckRequest, DriftReport } from '@prodclass/catalog/drift/report';
import {
  acknowledgeDriftReport,
  type DriftAcknowledgement,
  type DriftAcknowledgementRequest,
  driftReport,
  saveDriftReport,
} from '@prodclass/catalog/drift/report-store';
import pg from 'pg';

/**
 * Drift checks of the inference log where it lives: PostgreSQL aggregates both windows, the report
 * is stored in drift_reports; acknowledgements of reports go to drift_acknowledgements. A pool of
 * two connections; checks and acknowledgements are rare and short.
 */
export class DriftChecks {
  readonly #pool: pg.Pool;

  constructor(databaseUrl: string) {
    this.#pool = new pg.Pool({ connectionString: databaseUrl, max: 2, connectionTimeoutMillis: 5000 });
    // An idle connection the server dropped is replaced on the next check; nothing to do here.
    this.#pool.on('error', () => {});
  }

  /** Computes the report and stores it. */
  async check(request: DriftCheckRequest): Promise<DriftReport> {
    const report = await checkDrift(this.#pool, request);
    await saveDriftReport(this.#pool, report);
    return report;
  }

  report(id: string): Promise<DriftReport | null> {
    return driftReport(this.#pool, id);
  }

  /** Records the acknowledgement once per `requestUid`. */
  acknowledge(request: DriftAcknowledgementRequest & { requestUid: string }): Promise<DriftAcknowledgement> {
    return acknowledgeDriftReport(this.#pool, request);
  }

  close(): Promise<void> {
    return this.#pool.end();
  }
}
