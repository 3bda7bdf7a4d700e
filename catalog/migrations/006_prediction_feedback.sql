-- Ground truth for served predictions (docs/quality.md): the catalog product a prediction was
-- asked for, the true code each labeled prediction turned out to have, every label a later one
-- replaced, and the predictions served per hour that live quality divides by.

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

-- Predictions logged per model version and UTC hour, kept by the log's own statement triggers: a
-- live-quality window counts what it served from a few hundred rows instead of millions.
create table inference_log_hourly (
  model_name text not null,
  model_version text not null,
  hour timestamptz not null,
  served bigint not null check (served >= 0),
  primary key (model_name, model_version, hour)
);

insert into inference_log_hourly
select model_name, model_version, date_trunc('hour', predicted_at, 'UTC'), count(*)
from inference_log group by 1, 2, 3;

-- In key order, so that two servers' batches lock shared hours in the same order.
create function inference_log_count_inserted() returns trigger
language plpgsql
as $$
begin
  insert into inference_log_hourly (model_name, model_version, hour, served)
  select model_name, model_version, date_trunc('hour', predicted_at, 'UTC'), count(*)
  from inserted group by 1, 2, 3 order by 1, 2, 3
  on conflict (model_name, model_version, hour) do update
    set served = inference_log_hourly.served + excluded.served;
  return null;
end;
$$;

create function inference_log_count_deleted() returns trigger
language plpgsql
as $$
begin
  update inference_log_hourly hourly set served = hourly.served - removed.rows
  from (
    select model_name, model_version, date_trunc('hour', predicted_at, 'UTC') as hour, count(*) as rows
    from deleted group by 1, 2, 3 order by 1, 2, 3
  ) removed
  where hourly.model_name = removed.model_name and hourly.model_version = removed.model_version
    and hourly.hour = removed.hour;
  return null;
end;
$$;

create function inference_log_count_truncated() returns trigger
language plpgsql
as $$
begin
  delete from inference_log_hourly;
  return null;
end;
$$;

create trigger inference_log_count_inserted after insert on inference_log
  referencing new table as inserted
  for each statement execute function inference_log_count_inserted();

create trigger inference_log_count_deleted after delete on inference_log
  referencing old table as deleted
  for each statement execute function inference_log_count_deleted();

create trigger inference_log_count_truncated after truncate on inference_log
  for each statement execute function inference_log_count_truncated();
