-- Audit entries and signed screening versions are never changed or removed: the database itself refuses it.
CREATE OR REPLACE FUNCTION holdspace_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'rows of % are append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION holdspace_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION holdspace_refuse_change();
--> statement-breakpoint
CREATE TRIGGER screenings_append_only BEFORE UPDATE OR DELETE ON screenings
  FOR EACH ROW EXECUTE FUNCTION holdspace_refuse_change();
--> statement-breakpoint
CREATE TRIGGER consent_signatures_append_only BEFORE UPDATE OR DELETE ON consent_signatures
  FOR EACH ROW EXECUTE FUNCTION holdspace_refuse_change();
