CREATE TABLE "server_runs" (
	"run_id" text PRIMARY KEY NOT NULL,
	"node_id" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"heartbeat_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "server_runs_node_idx" ON "server_runs" USING btree ("node_id");
