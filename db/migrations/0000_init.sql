CREATE TABLE "ledger_entries" (
	"store_id" text NOT NULL,
	"source_key" text NOT NULL,
	"role" text NOT NULL,
	"source_type" text NOT NULL,
	"source_name" text,
	"source_updated_at" timestamp with time zone,
	"status" text NOT NULL,
	"reason" text,
	"reason_code" text,
	"qbo_type" text,
	"qbo_id" text,
	"qbo_sync_token" text,
	"qbo_doc_number" text,
	"qbo_total_minor" bigint,
	"source_total_minor" bigint,
	"fingerprint" text,
	"request_id" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_by_ledgerline" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_entries_store_id_source_key_role_pk" PRIMARY KEY("store_id","source_key","role")
);
--> statement-breakpoint
CREATE TABLE "qbo_rate_windows" (
	"realm_id" text NOT NULL,
	"bucket" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "qbo_rate_windows_realm_id_bucket_window_start_pk" PRIMARY KEY("realm_id","bucket","window_start")
);
--> statement-breakpoint
CREATE TABLE "qbo_refs" (
	"store_id" text NOT NULL,
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"qbo_id" text NOT NULL,
	"name" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "qbo_refs_store_id_kind_key_pk" PRIMARY KEY("store_id","kind","key")
);
--> statement-breakpoint
CREATE TABLE "store_credentials" (
	"store_id" text PRIMARY KEY NOT NULL,
	"shopify_access_token_enc" text NOT NULL,
	"qbo_client_id" text NOT NULL,
	"qbo_client_secret_enc" text NOT NULL,
	"qbo_access_token_enc" text,
	"qbo_access_token_expires_at" timestamp with time zone,
	"qbo_refresh_token_enc" text NOT NULL,
	"qbo_refresh_token_expires_at" timestamp with time zone,
	"version" integer DEFAULT 0 NOT NULL,
	"refreshed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stores" (
	"id" text PRIMARY KEY NOT NULL,
	"shop_domain" text NOT NULL,
	"shop_name" text,
	"shop_currency" text,
	"shop_timezone" text,
	"qbo_realm_id" text NOT NULL,
	"qbo_company_name" text,
	"qbo_country" text,
	"state" text DEFAULT 'active' NOT NULL,
	"settings" jsonb NOT NULL,
	"start_date" timestamp with time zone NOT NULL,
	"cursor_updated_at" timestamp with time zone,
	"last_run_at" timestamp with time zone,
	"last_run_status" text,
	"last_error" text,
	"connection_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stores_shop_domain_unique" UNIQUE("shop_domain")
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"workflow_id" text NOT NULL,
	"trigger" text NOT NULL,
	"window_from" timestamp with time zone,
	"window_to" timestamp with time zone,
	"status" text NOT NULL,
	"fetched" integer DEFAULT 0 NOT NULL,
	"synced" integer DEFAULT 0 NOT NULL,
	"parked" integer DEFAULT 0 NOT NULL,
	"skipped" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"webhook_id" text PRIMARY KEY NOT NULL,
	"shop_domain" text NOT NULL,
	"topic" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qbo_refs" ADD CONSTRAINT "qbo_refs_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "store_credentials" ADD CONSTRAINT "store_credentials_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ledger_entries_status_idx" ON "ledger_entries" USING btree ("store_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_entries_qbo_doc_idx" ON "ledger_entries" USING btree ("store_id","qbo_type","qbo_id") WHERE "ledger_entries"."qbo_id" is not null;--> statement-breakpoint
CREATE INDEX "sync_runs_store_idx" ON "sync_runs" USING btree ("store_id","started_at");