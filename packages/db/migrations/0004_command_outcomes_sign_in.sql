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
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "totp_last_step" bigint;
--> statement-breakpoint
CREATE TABLE "sign_in_throttle" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer NOT NULL,
	"blocked_until" timestamp with time zone,
	"last_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "sign_in_throttle_last_idx" ON "sign_in_throttle" USING btree ("last_at");
--> statement-breakpoint
CREATE TABLE "recovery_codes" (
	"user_id" uuid NOT NULL REFERENCES "users"("id") ON DELETE cascade,
	"code_hash" text NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "recovery_codes_user_id_code_hash_pk" PRIMARY KEY("user_id","code_hash")
);
