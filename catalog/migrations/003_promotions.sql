-- Every promotion decision, automatic or manual, promoted or rejected, and every rollback: the
-- history of which model version each alias pointed at, and why.

create table promotions (
  id bigint generated always as identity primary key,
  registered_model text not null,
  alias text not null,
  version integer not null check (version >= 1),
  decision text not null check (decision in ('promoted', 'rejected', 'rolled_back')),
  reason text not null,
  -- Weighted F1 of the challenger and of the champion it was compared with, both on the
  -- challenger's held-out split (NULL for manual promotions and rollbacks).
  challenger_f1 double precision,
  champion_version integer,
  champion_f1 double precision,
  -- The version the alias pointed at before this decision (NULL if none, or if rejected).
  previous_version integer,
  requested_by text not null,
  decided_at timestamptz not null default now()
);

create index promotions_alias_history on promotions (registered_model, alias, id);
