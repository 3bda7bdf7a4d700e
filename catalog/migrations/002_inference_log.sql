-- One row per prediction the model server answered, for drift analysis. The server writes them
-- in batches; texts are truncated (the lengths are of the full texts).

create table inference_log (
  prediction_id uuid primary key,
  predicted_at timestamptz not null,
  model_name text not null,
  model_version text not null,
  prdtypecode integer not null,
  confidence real not null check (confidence >= 0 and confidence <= 1),
  text_length integer not null check (text_length >= 0),
  designation text not null,
  description text
);

create index inference_log_predicted_at on inference_log (predicted_at);
