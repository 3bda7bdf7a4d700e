-- Progressive delivery (docs/model-server.md#candidate-model-canary-and-shadow): the time a model
-- took for each prediction, and the candidate's shadow predictions beside the served ones.

-- Milliseconds the model took to predict the product (its share of a batch), not the request's
-- time; NULL from older servers.
alter table inference_log add column model_ms real check (model_ms >= 0);

-- A candidate's shadow prediction names the served prediction it mirrors (the prediction id the
-- caller received); NULL for every served prediction. Shadow rows were never answered to anyone.
alter table inference_log add column shadow_of uuid;

-- The shadow rows of a window, for the shadow comparison (catalog/src/rollout/shadow-comparison.ts).
create index inference_log_shadow on inference_log (model_name, predicted_at) where shadow_of is not null;

-- A drift check compares what was served: its index leaves shadow rows out, and the query that
-- reads it says `shadow_of is null`, which keeps the scan index-only.
drop index inference_log_drift;
create index inference_log_drift on inference_log (model_name, predicted_at)
  include (model_version, prdtypecode, confidence, text_length, token_count, unknown_token_count)
  where shadow_of is null;

-- Served counts and confidence sums (inference_log_hourly, what live quality divides by and
-- estimates from; migrations 006 and 008) count served predictions only.
create or replace function inference_log_count_inserted() returns trigger
language plpgsql
as $$
begin
  insert into inference_log_hourly (model_name, model_version, hour, served, confidence_sum)
  select model_name, model_version, date_trunc('hour', predicted_at, 'UTC'), count(*), sum(confidence::float8)
  from inserted where shadow_of is null group by 1, 2, 3 order by 1, 2, 3
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
    from deleted where shadow_of is null group by 1, 2, 3 order by 1, 2, 3
  ) removed
  where hourly.model_name = removed.model_name and hourly.model_version = removed.model_version
    and hourly.hour = removed.hour;
  return null;
end;
$$;
