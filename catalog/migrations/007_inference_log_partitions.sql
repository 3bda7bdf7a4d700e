-- The inference log, partitioned by the UTC day of predicted_at (docs/model-server.md, Retention):
-- a day's predictions (served and shadow alike) live in inference_log_YYYYMMDD, which
-- `prodclass db maintain` creates ahead of time and drops whole once the day is older than the
-- retention. Rows for a day without its partition land in inference_log_default, which the next
-- maintenance moves into the day's own partition, so a write never fails for want of one.
--
-- An existing log becomes one partition as it is, inference_log_before_YYYYMMDD (every day up to
-- and including today), dropped whole once its last day is past the retention: no row moves, so
-- the lock below is held for one sequential read of the old table, not for copying it. Writers
-- wait on that lock: a model server's COPY waits, then finds the name bound to the new table.

lock table inference_log in access exclusive mode;

alter table inference_log rename to inference_log_unpartitioned;
alter index inference_log_drift rename to inference_log_unpartitioned_drift;
alter index inference_log_productid rename to inference_log_unpartitioned_productid;

-- The same columns, in the same order, with the same checks. A unique key of a partitioned table
-- must include the partition key, and the old table's key is the id alone (building another on
-- it would mean an index build under the lock): each partition keeps the id unique instead.
-- Prediction ids are UUIDv7s, whose first 48 bits are the time they were made, so an id repeated
-- across days is not a practical case.
create table inference_log (like inference_log_unpartitioned including defaults including constraints)
  partition by range (predicted_at);
create index inference_log_drift on inference_log (model_name, predicted_at)
  include (model_version, prdtypecode, confidence, text_length, token_count, unknown_token_count);
create index inference_log_productid on inference_log (productid) where productid is not null;

-- The time a version-7 UUID carries (its first 48 bits, Unix milliseconds; NULL for any other
-- version): a label naming a prediction by id finds the day of its partition from the id alone
-- (catalog/src/feedback/feedback-store.ts). Not strict, so that the planner inlines it.
create function uuidv7_time(id uuid) returns timestamptz
language sql immutable
as $$
  select case when substr(id::text, 15, 1) = '7'
    then to_timestamp(('x' || lpad(replace(left(id::text, 13), '-', ''), 16, '0'))::bit(64)::bigint / 1000.0)
  end
$$;

do $$
declare
  today date := (now() at time zone 'UTC')::date;
  first_new_day date := today;
  name text;
begin
  if exists (select from inference_log_unpartitioned) then
    first_new_day := today + 1;
    name := 'inference_log_before_' || to_char(first_new_day, 'YYYYMMDD');
    execute format('alter table inference_log_unpartitioned rename to %I', name);
    execute format('alter index inference_log_pkey rename to %I', name || '_pkey');
    execute format('alter index inference_log_unpartitioned_drift rename to %I', name || '_drift');
    execute format('alter index inference_log_unpartitioned_productid rename to %I', name || '_productid');
    -- Its rows are counted in inference_log_hourly already; the parent's triggers count new ones
    -- (and a partition cannot have triggers with transition tables).
    execute format('drop trigger inference_log_count_inserted on %I', name);
    execute format('drop trigger inference_log_count_deleted on %I', name);
    execute format('drop trigger inference_log_count_truncated on %I', name);
    -- A valid check that implies the partition's bound spares the attach its own scan; its
    -- matching indexes are attached as they are.
    execute format('alter table %I add constraint %I check (predicted_at < %L)',
      name, name || '_bound', first_new_day::text || ' 00:00:00+00');
    execute format('alter table inference_log attach partition %I for values from (minvalue) to (%L)',
      name, first_new_day::text || ' 00:00:00+00');
    execute format('alter table %I drop constraint %I', name, name || '_bound');
  else
    drop table inference_log_unpartitioned;
  end if;
  -- Today's partition unless the old log holds today, and those of the week ahead.
  for day in 0..7 loop
    continue when today + day < first_new_day;
    name := 'inference_log_' || to_char(today + day, 'YYYYMMDD');
    execute format('create table %I partition of inference_log for values from (%L) to (%L)',
      name, (today + day)::text || ' 00:00:00+00', (today + day + 1)::text || ' 00:00:00+00');
    execute format('alter table %I add primary key (prediction_id)', name);
  end loop;
end;
$$;

create table inference_log_default partition of inference_log default;
alter table inference_log_default add primary key (prediction_id);

-- The hourly counts of migration 006, kept by statement triggers on the partitioned table: they
-- see every row a statement on inference_log routes to any partition. Maintenance removes the
-- counts of the days it drops (catalog/src/inference-log-partitions.ts).
create trigger inference_log_count_inserted after insert on inference_log
  referencing new table as inserted
  for each statement execute function inference_log_count_inserted();

create trigger inference_log_count_deleted after delete on inference_log
  referencing old table as deleted
  for each statement execute function inference_log_count_deleted();

create trigger inference_log_count_truncated after truncate on inference_log
  for each statement execute function inference_log_count_truncated();
