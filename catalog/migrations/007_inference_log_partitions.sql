-- The inference log, partitioned by the UTC day of predicted_at (docs/model-server.md, Retention):
-- a day's predictions (served and shadow alike) live in inference_log_YYYYMMDD, which
-- `prodclass db maintain` creates ahead of time and drops whole once the day is older than the
-- retention. Rows for a day without its partition land in inference_log_default, which the next
-- maintenance moves into the day's own partition, so a write never fails for want of one.
--
-- Converts the existing log in this one transaction: writers wait on the lock below (a model
-- server's COPY waits, then finds the name bound to the new table and writes there), every row is
-- copied into its day's partition, and the counts are checked before the old table goes.

lock table inference_log in access exclusive mode;

alter table inference_log rename to inference_log_unpartitioned;
alter index inference_log_pkey rename to inference_log_unpartitioned_pkey;
alter index inference_log_drift rename to inference_log_unpartitioned_drift;
alter index inference_log_productid rename to inference_log_unpartitioned_productid;

-- The same columns, in the same order, with the same checks.
create table inference_log (like inference_log_unpartitioned including defaults including constraints)
  partition by range (predicted_at);

-- A unique key of a partitioned table includes the partition key. Prediction ids are random
-- (UUIDv7: 74 random bits), so the id alone stays unique in practice, as it did before.
alter table inference_log add primary key (prediction_id, predicted_at);
create index inference_log_drift on inference_log (model_name, predicted_at)
  include (model_version, prdtypecode, confidence, text_length, token_count, unknown_token_count);
create index inference_log_productid on inference_log (productid) where productid is not null;

-- The name of a day's partition, and the time a version-7 UUID carries (its first 48 bits, Unix
-- milliseconds; NULL for any other version): a label naming a prediction by id finds the day of
-- its partition from the id alone (catalog/src/feedback/feedback-store.ts).
create function inference_log_partition_name(day date) returns text
language sql immutable
as $$ select 'inference_log_' || to_char(day, 'YYYYMMDD') $$;

create function uuidv7_time(id uuid) returns timestamptz
language sql immutable
as $$
  select case when substr(id::text, 15, 1) = '7'
    then to_timestamp(('x' || lpad(replace(left(id::text, 13), '-', ''), 16, '0'))::bit(64)::bigint / 1000.0)
  end
$$;

create table inference_log_default partition of inference_log default;

-- A partition for every day the old log has rows, through 7 days ahead (maintenance's lead).
do $$
declare
  day date;
begin
  for day in
    select generate_series(
      date_trunc('day', least((select min(predicted_at) from inference_log_unpartitioned), now()) at time zone 'UTC'),
      date_trunc('day', now() at time zone 'UTC') + interval '7 days',
      interval '1 day')::date
  loop
    execute format('create table %I partition of inference_log for values from (%L) to (%L)',
      inference_log_partition_name(day), day::text || ' 00:00:00+00', (day + 1)::text || ' 00:00:00+00');
  end loop;
end;
$$;

do $$
declare
  columns text := (
    select string_agg(quote_ident(attname), ', ' order by attnum) from pg_attribute
    where attrelid = 'inference_log_unpartitioned'::regclass and attnum > 0 and not attisdropped);
  moved bigint;
  kept bigint;
begin
  execute format('insert into inference_log (%s) select %s from inference_log_unpartitioned', columns, columns);
  get diagnostics moved = row_count;
  select count(*) into kept from inference_log_unpartitioned;
  if moved <> kept then
    raise exception 'inference_log conversion moved % rows of %', moved, kept;
  end if;
  raise notice 'inference_log: % rows moved into daily partitions', moved;
end;
$$;

drop table inference_log_unpartitioned;

-- The hourly counts of migration 006, kept by statement triggers on the partitioned table: they
-- see every row a statement on inference_log routes to any partition. Created after the move: the
-- moved rows are counted in inference_log_hourly already. Maintenance removes the counts of the
-- days it drops (catalog/src/inference-log-partitions.ts).
create trigger inference_log_count_inserted after insert on inference_log
  referencing new table as inserted
  for each statement execute function inference_log_count_inserted();

create trigger inference_log_count_deleted after delete on inference_log
  referencing old table as deleted
  for each statement execute function inference_log_count_deleted();

create trigger inference_log_count_truncated after truncate on inference_log
  for each statement execute function inference_log_count_truncated();
