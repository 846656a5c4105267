CREATE TABLE "journal_entries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"clinic_id" uuid NOT NULL,
	"participant_id" uuid NOT NULL,
	"circle_id" uuid,
	"prompts" jsonb NOT NULL,
	"commitments" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "questionnaire_responses" (
	"id" uuid PRIMARY KEY NOT NULL,
	"clinic_id" uuid NOT NULL,
	"participant_id" uuid NOT NULL,
	"cohort_id" uuid NOT NULL,
	"instrument" text NOT NULL,
	"assessment_key" text NOT NULL,
	"answers" jsonb NOT NULL,
	"total" integer NOT NULL,
	"band" text NOT NULL,
	"crisis" boolean DEFAULT false NOT NULL,
	"submitted_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "safety_alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"clinic_id" uuid NOT NULL,
	"participant_id" uuid NOT NULL,
	"response_id" uuid NOT NULL,
	"instrument" text NOT NULL,
	"item" text NOT NULL,
	"answer" integer NOT NULL,
	"raised_at" timestamp with time zone NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" uuid,
	"note" text,
	CONSTRAINT "safety_alerts_response_id_unique" UNIQUE("response_id")
);
--> statement-breakpoint
ALTER TABLE "clinics" ALTER COLUMN "settings" SET DEFAULT '{"fastingWindowHours":4,"minObservationMinutes":120,"vitalLimits":{"systolicMax":180,"diastolicMax":110,"heartRateMax":120,"spo2Min":92},"idleTimeoutMinutes":30,"requireTwoFactor":false,"crisisResources":[{"label":"988 Suicide & Crisis Lifeline","description":"Call or text 988, any time of day or night (United States).","phone":"988","sms":"988","url":"https://988lifeline.org"},{"label":"Emergency services","description":"If you are in danger right now, call 911.","phone":"911","sms":null,"url":null}]}'::jsonb;--> statement-breakpoint
ALTER TABLE "cohorts" ADD COLUMN "instruments" text[] DEFAULT '{phq9,gad7}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "cohorts" ADD COLUMN "follow_up_days" integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE "journal_entries" ADD CONSTRAINT "journal_entries_clinic_id_clinics_id_fk" FOREIGN KEY ("clinic_id") REFERENCES "public"."clinics"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journal_entries" ADD CONSTRAINT "journal_entries_participant_id_users_id_fk" FOREIGN KEY ("participant_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journal_entries" ADD CONSTRAINT "journal_entries_circle_id_circles_id_fk" FOREIGN KEY ("circle_id") REFERENCES "public"."circles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "questionnaire_responses" ADD CONSTRAINT "questionnaire_responses_clinic_id_clinics_id_fk" FOREIGN KEY ("clinic_id") REFERENCES "public"."clinics"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "questionnaire_responses" ADD CONSTRAINT "questionnaire_responses_participant_id_users_id_fk" FOREIGN KEY ("participant_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "questionnaire_responses" ADD CONSTRAINT "questionnaire_responses_cohort_id_cohorts_id_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohorts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_alerts" ADD CONSTRAINT "safety_alerts_clinic_id_clinics_id_fk" FOREIGN KEY ("clinic_id") REFERENCES "public"."clinics"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_alerts" ADD CONSTRAINT "safety_alerts_participant_id_users_id_fk" FOREIGN KEY ("participant_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_alerts" ADD CONSTRAINT "safety_alerts_response_id_questionnaire_responses_id_fk" FOREIGN KEY ("response_id") REFERENCES "public"."questionnaire_responses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_alerts" ADD CONSTRAINT "safety_alerts_acknowledged_by_users_id_fk" FOREIGN KEY ("acknowledged_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "journal_entries_participant_idx" ON "journal_entries" USING btree ("participant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "questionnaire_responses_once" ON "questionnaire_responses" USING btree ("participant_id","cohort_id","instrument","assessment_key");--> statement-breakpoint
CREATE INDEX "questionnaire_responses_cohort_idx" ON "questionnaire_responses" USING btree ("cohort_id");--> statement-breakpoint
CREATE INDEX "safety_alerts_clinic_idx" ON "safety_alerts" USING btree ("clinic_id","acknowledged_at");--> statement-breakpoint
-- Clinics created before crisis lines were a setting get the default (United States) lines; admins can change them.
UPDATE "clinics" SET "settings" = "settings" || jsonb_build_object('crisisResources', '[{"label":"988 Suicide & Crisis Lifeline","description":"Call or text 988, any time of day or night (United States).","phone":"988","sms":"988","url":"https://988lifeline.org"},{"label":"Emergency services","description":"If you are in danger right now, call 911.","phone":"911","sms":null,"url":null}]'::jsonb)
  WHERE NOT ("settings" ? 'crisisResources');
--> statement-breakpoint
-- A submitted questionnaire is a record: never changed or removed.
CREATE TRIGGER questionnaire_responses_append_only BEFORE UPDATE OR DELETE ON questionnaire_responses
  FOR EACH ROW EXECUTE FUNCTION holdspace_refuse_change();
--> statement-breakpoint
-- A safety alert is never removed, and is acknowledged once: only the acknowledgement may be filled in, and only once.
CREATE OR REPLACE FUNCTION holdspace_safety_alert_ack_once() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.acknowledged_at IS NOT NULL
     OR (NEW.id, NEW.clinic_id, NEW.participant_id, NEW.response_id, NEW.instrument, NEW.item, NEW.answer, NEW.raised_at)
        IS DISTINCT FROM (OLD.id, OLD.clinic_id, OLD.participant_id, OLD.response_id, OLD.instrument, OLD.item, OLD.answer, OLD.raised_at) THEN
    RAISE EXCEPTION 'safety alerts are kept as raised and acknowledged once: % refused', TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER safety_alerts_ack_once BEFORE UPDATE OR DELETE ON safety_alerts
  FOR EACH ROW EXECUTE FUNCTION holdspace_safety_alert_ack_once();
