-- Ground truth for served predictions (docs/quality.md): the catalog product a prediction was
-- asked for, the true code each labeled prediction turned out to have, every label a later one
-- replaced, and the predictions served per hour that live quality divides by.

-- The product a prediction request named (its optional productid); NULL when it named none. A
-- later data load that brings the product labels these predictions.
alter table inference_log add column productid bigint;
create index inference_log_productid on inference_log (productid) where productid is not null;

-- One current label per prediction. The prediction's model, version, time and predicted code are
-- copied from its (never updated) log row when the label is written, so that the hourly label
-- counts below are kept from this table alone, never by joining labels back into the log.
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

-- Labels per model version and UTC hour of their predictions: the confusion matrix (predicted
-- code, true code) and the label lags in buckets 1% wide, kept by statement triggers on
-- prediction_feedback (an insert adds, a replacement moves, a delete removes). Live quality sums
-- these instead of scanning a million labels.
create function prediction_feedback_lag_bucket(labeled_at timestamptz, predicted_at timestamptz) returns integer
language sql immutable
as $$ select floor(100 * ln(1 + extract(epoch from labeled_at - predicted_at)::float8))::integer $$;

create table prediction_feedback_hourly (
  model_name text not null,
  model_version text not null,
  hour timestamptz not null,
  predicted_code integer not null,
  prdtypecode integer not null,
  labels bigint not null,
  primary key (model_name, model_version, hour, predicted_code, prdtypecode)
);

create table prediction_feedback_lag_hourly (
  model_name text not null,
  model_version text not null,
  hour timestamptz not null,
  lag_bucket integer not null,
  labels bigint not null,
  primary key (model_name, model_version, hour, lag_bucket)
);

-- A window is a range of hours, whatever the models: without these, every report would read the
-- counts of the whole history.
create index prediction_feedback_hourly_hour on prediction_feedback_hourly (hour);
create index prediction_feedback_lag_hourly_hour on prediction_feedback_lag_hourly (hour);

-- Adds each statement's changes as signed counts (+1 a new label, -1 a removed one; a replacement
-- is both), in key order so that concurrent writers lock shared rows in the same order. (The counts
-- have no check >= 0: an upsert checks the row it proposes, here a negative delta, before it
-- finds the row to add it to.)
create function prediction_feedback_count() returns trigger
language plpgsql
as $$
declare
  changes text := case tg_op
    when 'INSERT' then 'select *, 1 as delta from new_rows'
    when 'DELETE' then 'select *, -1 as delta from old_rows'
    else 'select *, 1 as delta from new_rows union all select *, -1 as delta from old_rows' end;
begin
  -- An upsert fires the update trigger even when it replaced nothing.
  if tg_op = 'UPDATE' then
    if not exists (select from new_rows) then
      return null;
    end if;
  end if;
  execute format($sql$
    insert into prediction_feedback_hourly (model_name, model_version, hour, predicted_code, prdtypecode, labels)
    select model_name, model_version, date_trunc('hour', predicted_at, 'UTC'), predicted_code, prdtypecode, sum(delta)
    from (%s) changes
    group by 1, 2, 3, 4, 5 having sum(delta) <> 0 order by 1, 2, 3, 4, 5
    on conflict (model_name, model_version, hour, predicted_code, prdtypecode) do update
      set labels = prediction_feedback_hourly.labels + excluded.labels$sql$, changes);
  execute format($sql$
    insert into prediction_feedback_lag_hourly (model_name, model_version, hour, lag_bucket, labels)
    select model_name, model_version, date_trunc('hour', predicted_at, 'UTC'),
      prediction_feedback_lag_bucket(labeled_at, predicted_at), sum(delta)
    from (%s) changes
    group by 1, 2, 3, 4 having sum(delta) <> 0 order by 1, 2, 3, 4
    on conflict (model_name, model_version, hour, lag_bucket) do update
      set labels = prediction_feedback_lag_hourly.labels + excluded.labels$sql$, changes);
  return null;
end;
$$;

create trigger prediction_feedback_count_inserted after insert on prediction_feedback
  referencing new table as new_rows
  for each statement execute function prediction_feedback_count();

create trigger prediction_feedback_count_updated after update on prediction_feedback
  referencing old table as old_rows new table as new_rows
  for each statement execute function prediction_feedback_count();

create trigger prediction_feedback_count_deleted after delete on prediction_feedback
  referencing old table as old_rows
  for each statement execute function prediction_feedback_count();
