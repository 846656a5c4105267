-- @socket.io/postgres-adapter: broadcasts over NOTIFY's 8000-byte limit travel through this table (swept after 30 s).
CREATE TABLE IF NOT EXISTS "socket_io_attachments" (
	"id" bigserial UNIQUE,
	"created_at" timestamp with time zone DEFAULT now(),
	"payload" bytea
);
