-- The versioned catalog: loads, products and the audit trail of every change to products.

create table data_loads (
  id integer generated always as identity primary key,
  name text not null unique check (name <> ''),
  -- Percentage points this load adds, and the share of the source loaded once it completes.
  requested_percentage numeric(5, 2) not null check (requested_percentage > 0),
  cumulative_percentage numeric(5, 2) not null check (cumulative_percentage > 0 and cumulative_percentage <= 100),
  rows_added integer check (rows_added >= 0),
  cumulative_rows integer check (cumulative_rows >= 0),
  status text not null check (status in ('running', 'completed', 'failed')),
  started_at timestamptz not null default now(),
  completed_at timestamptz,
  source_fingerprint text not null,
  dataset_fingerprint text,
  -- The last products_history id once the load committed: the catalog as of this load is the
  -- history up to it.
  history_watermark bigint,
  metadata jsonb not null default '{}'::jsonb,
  requested_by text not null,
  error text,
  check (
    status <> 'completed'
    or (completed_at is not null and rows_added is not null and cumulative_rows is not null
        and dataset_fingerprint is not null and history_watermark is not null)
  )
);

-- Every completed load grows the catalog, so no two completed loads share a percentage.
create unique index data_loads_completed_percentage on data_loads (cumulative_percentage)
  where status = 'completed';

-- lz4 compresses the long descriptions and the history's row copies at a fraction of pglz's
-- CPU cost, which is most of a load's time.
create table products (
  productid bigint primary key,
  designation text compression lz4 not null check (designation <> ''),
  description text compression lz4 check (description <> ''),
  imageid bigint not null,
  prdtypecode integer not null,
  load_id integer not null references data_loads (id),
  created_at timestamptz not null default now()
);

create table products_history (
  id bigint generated always as identity primary key,
  operation text not null check (operation in ('INSERT', 'UPDATE', 'DELETE')),
  productid bigint not null,
  old_row jsonb compression lz4,
  new_row jsonb compression lz4,
  -- The load whose transaction made the change (transaction-local setting prodclass.load_id);
  -- NULL for a change made outside any load.
  load_id integer references data_loads (id),
  changed_at timestamptz not null default now()
);

-- The few changes made outside loads: while there are none, a load knows the catalog's rows
-- without reading them back.
create index products_history_outside_loads on products_history (id)
  where operation <> 'INSERT' or load_id is null;

create function products_load_id() returns integer
language sql stable
as $$ select nullif(current_setting('prodclass.load_id', true), '')::integer $$;

-- Inserts are audited per statement from the transition table: a COPY of a whole load is one
-- INSERT ... SELECT instead of one trigger call per row.
create function products_audit_inserts() returns trigger
language plpgsql
as $$
begin
  insert into products_history (operation, productid, new_row, load_id)
  select 'INSERT', inserted.productid, to_jsonb(inserted), products_load_id()
  from inserted;
  return null;
end;
$$;

create function products_audit_changes() returns trigger
language plpgsql
as $$
begin
  if tg_op = 'UPDATE' then
    if new.productid <> old.productid then
      raise exception 'productid is immutable (product %)', old.productid;
    end if;
    insert into products_history (operation, productid, old_row, new_row, load_id)
    values ('UPDATE', new.productid, to_jsonb(old), to_jsonb(new), products_load_id());
    return new;
  end if;
  insert into products_history (operation, productid, old_row, load_id)
  values ('DELETE', old.productid, to_jsonb(old), products_load_id());
  return old;
end;
$$;

create function products_refuse_truncate() returns trigger
language plpgsql
as $$
begin
  raise exception 'products cannot be truncated: the audit trail would lose those rows; delete them instead';
end;
$$;

create trigger products_audit_inserts after insert on products
  referencing new table as inserted
  for each statement execute function products_audit_inserts();

create trigger products_audit_changes after update or delete on products
  for each row execute function products_audit_changes();

create trigger products_refuse_truncate before truncate on products
  for each statement execute function products_refuse_truncate();

create view class_distribution as
  select prdtypecode, count(*)::integer as products
  from products
  group by prdtypecode;

create view current_data_state as
  select
    coalesce((select cumulative_percentage from data_loads where status = 'completed'
              order by cumulative_percentage desc limit 1), 0) as current_percentage,
    (select count(*) from products)::integer as total_rows,
    (select max(completed_at) from data_loads where status = 'completed') as last_load_date;
