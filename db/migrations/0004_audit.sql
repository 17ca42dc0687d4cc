CREATE TABLE "audit_findings" (
	"store_id" text NOT NULL,
	"source_key" text NOT NULL,
	"role" text NOT NULL,
	"qbo_type" text NOT NULL,
	"qbo_id" text NOT NULL,
	"kind" text NOT NULL,
	"difference" text NOT NULL,
	"details" jsonb,
	"found_at" timestamp with time zone DEFAULT now() NOT NULL,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "audit_findings_store_id_source_key_role_pk" PRIMARY KEY("store_id","source_key","role")
);
--> statement-breakpoint
CREATE TABLE "store_audits" (
	"store_id" text PRIMARY KEY NOT NULL,
	"changed_since" timestamp with time zone,
	"sample_after" text,
	"last_audit_at" timestamp with time zone,
	"last_summary" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_findings" ADD CONSTRAINT "audit_findings_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "store_audits" ADD CONSTRAINT "store_audits_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_findings_open_idx" ON "audit_findings" USING btree ("store_id") WHERE "audit_findings"."resolved_at" is null;