-- Estimated accuracy without labels (docs/quality.md): the served confidences (the model bundle's
-- calibrated probability of each predicted code) summed per model version and UTC hour next to
-- the served count, so that a window's mean confidence is read from the hourly rows, never by
-- scanning the log. Kept by the same statement triggers as the count (migration 006).
alter table inference_log_hourly add column confidence_sum float8 not null default 0;

update inference_log_hourly hourly set confidence_sum = logged.confidence_sum
from (
  select model_name, model_version, date_trunc('hour', predicted_at, 'UTC') as hour,
    sum(confidence::float8) as confidence_sum
  from inference_log group by 1, 2, 3
) logged
where hourly.model_name = logged.model_name and hourly.model_version = logged.model_version
  and hourly.hour = logged.hour;

create or replace function inference_log_count_inserted() returns trigger
language plpgsql
as $$
begin
  insert into inference_log_hourly (model_name, model_version, hour, served, confidence_sum)
  select model_name, model_version, date_trunc('hour', predicted_at, 'UTC'), count(*), sum(confidence::float8)
  from inserted group by 1, 2, 3 order by 1, 2, 3
  on conflict (model_name, model_version, hour) do update
    set served = inference_log_hourly.served + excluded.served,
      confidence_sum = inference_log_hourly.confidence_sum + excluded.confidence_sum;
  return null;
end;
$$;

create or replace function inference_log_count_deleted() returns trigger
language plpgsql
as $$
begin
  update inference_log_hourly hourly
    set served = hourly.served - removed.rows, confidence_sum = hourly.confidence_sum - removed.confidence_sum
  from (
    select model_name, model_version, date_trunc('hour', predicted_at, 'UTC') as hour, count(*) as rows,
      sum(confidence::float8) as confidence_sum
    from deleted group by 1, 2, 3 order by 1, 2, 3
  ) removed
  where hourly.model_name = removed.model_name and hourly.model_version = removed.model_version
    and hourly.hour = removed.hour;
  return null;
end;
$$;
