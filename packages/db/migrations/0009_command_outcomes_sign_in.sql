CREATE TABLE "command_outcomes" (
	"command_id" text PRIMARY KEY NOT NULL,
	"circle_id" uuid NOT NULL REFERENCES "circles"("id"),
	"actor" text NOT NULL,
	"ok" boolean NOT NULL,
	"seq" integer NOT NULL,
	"rule" text,
	"message" text,
	"decided_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "command_outcomes_decided_idx" ON "command_outcomes" USING btree ("decided_at");
