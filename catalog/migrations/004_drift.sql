-- Drift checks: what the model server logs for the out-of-vocabulary share, an index drift
-- windows are read from alone, the reports and their acknowledgements (docs/drift.md).

-- Of the terms a prediction looked up in the model's vocabulary, how many there were and how
-- many it did not know. NULL when the server did not count them (older servers, char analyzers).
alter table inference_log
  add column token_count integer check (token_count >= 0),
  add column unknown_token_count integer check (unknown_token_count >= 0 and unknown_token_count <= token_count);

-- A drift check reads one model's rows in a time window and only these columns: an index-only
-- scan, a tenth of the table's bytes (the texts stay in the heap). It replaces the index on
-- predicted_at alone, which nothing else reads, so the log keeps one index to maintain.
create index inference_log_drift on inference_log (model_name, predicted_at)
  include (model_version, prdtypecode, confidence, text_length, token_count, unknown_token_count);
drop index inference_log_predicted_at;

create table drift_reports (
  id uuid primary key,
  monitor text not null,
  model_name text not null,
  model_version text,
  checked_at timestamptz not null,
  current_from timestamptz not null,
  current_to timestamptz not null,
  current_samples integer not null check (current_samples >= 0),
  reference_kind text not null check (reference_kind in ('window', 'trainingData')),
  reference_from timestamptz,
  reference_to timestamptz,
  reference_samples integer not null check (reference_samples >= 0),
  outcome text not null check (outcome in ('Checked', 'InsufficientData')),
  severity text not null check (severity in ('OK', 'WARNING', 'ALERT', 'CRITICAL')),
  -- Per test: feature, test, statistic, p-value, bins, severity (DriftTestResult).
  tests jsonb not null
);

create index drift_reports_latest on drift_reports (monitor, checked_at desc);

create table drift_acknowledgements (
  id bigint generated always as identity primary key,
  report_id uuid not null references drift_reports (id),
  action text not null check (action in ('retrain', 'rollback', 'investigate')),
  acknowledged_by text not null check (acknowledged_by <> ''),
  reason text,
  acknowledged_at timestamptz not null default now()
);

create index drift_acknowledgements_report on drift_acknowledgements (report_id, id);
