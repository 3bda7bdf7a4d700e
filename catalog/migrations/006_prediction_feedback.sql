-- Ground truth for served predictions (docs/quality.md): the catalog product a prediction was
-- asked for, the true code each labeled prediction turned out to have, and every label a later one
-- replaced.

-- The product a prediction request named (its optional productid); NULL when it named none. A
-- later data load that brings the product labels these predictions.
alter table inference_log add column productid bigint;
create index inference_log_productid on inference_log (productid) where productid is not null;

-- One current label per prediction. The prediction's model, version, time and predicted code are
-- copied from its (never updated) log row when the label is written, so live quality reads this
-- table alone and never joins a million labels back into the log.
create table prediction_feedback (
  prediction_id uuid primary key,
  model_name text not null,
  model_version text not null,
  predicted_at timestamptz not null,
  predicted_code integer not null,
  prdtypecode integer not null,
  source text not null check (source in ('api', 'cli', 'catalog')),
  labeled_at timestamptz not null,
  labeled_by text not null check (labeled_by <> ''),
  check (labeled_at >= predicted_at)
);

create index prediction_feedback_window on prediction_feedback (predicted_at)
  include (model_name, model_version, predicted_code, prdtypecode, labeled_at);

create table prediction_feedback_history (
  id bigint generated always as identity primary key,
  prediction_id uuid not null,
  prdtypecode integer not null,
  source text not null,
  labeled_at timestamptz not null,
  labeled_by text not null,
  replaced_at timestamptz not null default now()
);

create index prediction_feedback_history_prediction on prediction_feedback_history (prediction_id, id);

-- Whoever replaces a label (an upsert of any writer, or a plain UPDATE), the label it replaced is
-- kept; per statement from the transition table, so a batch of replacements is one insert.
create function prediction_feedback_keep_replaced() returns trigger
language plpgsql
as $$
begin
  insert into prediction_feedback_history (prediction_id, prdtypecode, source, labeled_at, labeled_by)
  select replaced.prediction_id, replaced.prdtypecode, replaced.source, replaced.labeled_at, replaced.labeled_by
  from replaced;
  return null;
end;
$$;

create trigger prediction_feedback_keep_replaced after update on prediction_feedback
  referencing old table as replaced
  for each statement execute function prediction_feedback_keep_replaced();
