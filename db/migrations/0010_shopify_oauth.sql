CREATE TABLE "shopify_grants" (
	"id" text PRIMARY KEY NOT NULL,
	"shop_domain" text NOT NULL,
	"shopify_client_id" text NOT NULL,
	"shopify_access_token_enc" text NOT NULL,
	"scopes" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "shopify_grants_shop_idx" ON "shopify_grants" USING btree ("shop_domain");--> statement-breakpoint
CREATE INDEX "shopify_grants_expires_idx" ON "shopify_grants" USING btree ("expires_at");