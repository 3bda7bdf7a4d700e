-- A DriftAcknowledgement resource is recorded once: its uid is stored with the acknowledgement, and
-- a reconcile retried after a crash finds the row instead of adding another. Acknowledgements made
-- with `prodclass drift ack` have none (each invocation is its own acknowledgement).
alter table drift_acknowledgements add column request_uid uuid unique;
