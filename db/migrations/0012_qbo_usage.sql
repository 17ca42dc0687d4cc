CREATE TABLE "qbo_usage_minutes" (
	"realm_id" text NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	"batches" integer DEFAULT 0 NOT NULL,
	"throttled" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "qbo_usage_minutes_realm_id_minute_pk" PRIMARY KEY("realm_id","minute")
);
