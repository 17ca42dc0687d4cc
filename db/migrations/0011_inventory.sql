CREATE TABLE "inventory_changes" (
	"run_id" text NOT NULL,
	"store_id" text NOT NULL,
	"seq" integer NOT NULL,
	"qbo_item_id" text NOT NULL,
	"name" text NOT NULL,
	"sku" text,
	"inventory_item_id" text,
	"qbo_qty" text,
	"shopify_before" integer,
	"shopify_unavailable" integer,
	"unbooked_sold" integer,
	"target" integer,
	"after" integer,
	"action" text NOT NULL,
	"skip_code" text,
	"reason" text NOT NULL,
	"applied" boolean DEFAULT false NOT NULL,
	"applied_at" timestamp with time zone,
	CONSTRAINT "inventory_changes_run_id_seq_pk" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "inventory_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"mode" text NOT NULL,
	"trigger" text NOT NULL,
	"status" text NOT NULL,
	"location_id" text,
	"compared" integer DEFAULT 0 NOT NULL,
	"raised" integer DEFAULT 0 NOT NULL,
	"lowered" integer DEFAULT 0 NOT NULL,
	"unchanged" integer DEFAULT 0 NOT NULL,
	"skipped" integer DEFAULT 0 NOT NULL,
	"applied" integer DEFAULT 0 NOT NULL,
	"not_applied" integer DEFAULT 0 NOT NULL,
	"breaker" jsonb,
	"breaker_reason" text,
	"confirmed_at" timestamp with time zone,
	"note" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "inventory_changes" ADD CONSTRAINT "inventory_changes_run_id_inventory_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."inventory_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory_changes" ADD CONSTRAINT "inventory_changes_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inventory_runs" ADD CONSTRAINT "inventory_runs_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "inventory_changes_store_idx" ON "inventory_changes" USING btree ("store_id","run_id");--> statement-breakpoint
CREATE INDEX "inventory_runs_store_idx" ON "inventory_runs" USING btree ("store_id","started_at");