-- The circle log is the record of what happened in a circle: like the audit trail, the database refuses to change
-- or remove an event.
CREATE TRIGGER circle_events_append_only BEFORE UPDATE OR DELETE ON circle_events
  FOR EACH ROW EXECUTE FUNCTION holdspace_refuse_change();
--> statement-breakpoint
CREATE TRIGGER circle_events_no_truncate BEFORE TRUNCATE ON circle_events
  FOR EACH STATEMENT EXECUTE FUNCTION holdspace_refuse_change();
