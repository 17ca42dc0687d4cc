CREATE TABLE "pending_connects" (
	"shop_domain" text NOT NULL,
	"realm_id" text NOT NULL,
	"qbo_client_id" text NOT NULL,
	"sent_refresh_token_sha256" text NOT NULL,
	"qbo_access_token_enc" text NOT NULL,
	"qbo_access_token_expires_at" timestamp with time zone NOT NULL,
	"qbo_refresh_token_enc" text NOT NULL,
	"qbo_refresh_token_expires_at" timestamp with time zone,
	"refreshed_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "pending_connects_shop_domain_realm_id_pk" PRIMARY KEY("shop_domain","realm_id")
);
--> statement-breakpoint
ALTER TABLE "store_credentials" ADD COLUMN "shopify_api_secret_enc" text;--> statement-breakpoint
CREATE INDEX "pending_connects_expires_idx" ON "pending_connects" USING btree ("expires_at");