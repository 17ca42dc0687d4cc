CREATE TABLE "payouts" (
	"store_id" text NOT NULL,
	"payout_id" text NOT NULL,
	"legacy_id" text NOT NULL,
	"status" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"currency" text NOT NULL,
	"net_minor" bigint NOT NULL,
	"fees_minor" bigint,
	"state" text NOT NULL,
	"reason" text,
	"blockers" jsonb,
	"report" jsonb,
	"needs_attention" boolean DEFAULT false NOT NULL,
	"deposit_id" text,
	"journal_entry_id" text,
	"workflow_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payouts_store_id_payout_id_pk" PRIMARY KEY("store_id","payout_id")
);
--> statement-breakpoint
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "payouts_store_issued_idx" ON "payouts" USING btree ("store_id","issued_at");