-- The console's "terms behind the most frequent live errors" reads the newest wrong labels of a
-- version for a few (predicted, true) pairs; without this index that is a scan of every label.
-- Partial: right labels, the majority, are never read this way.
create index prediction_feedback_errors on prediction_feedback
  (model_name, model_version, predicted_code, prdtypecode, predicted_at desc, prediction_id)
  where predicted_code <> prdtypecode;
