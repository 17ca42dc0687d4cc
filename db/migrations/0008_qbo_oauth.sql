CREATE TABLE "oauth_states" (
	"nonce" text PRIMARY KEY NOT NULL,
	"shop_domain" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "qbo_grants" (
	"id" text PRIMARY KEY NOT NULL,
	"shop_domain" text NOT NULL,
	"realm_id" text NOT NULL,
	"qbo_client_id" text NOT NULL,
	"qbo_access_token_enc" text NOT NULL,
	"qbo_access_token_expires_at" timestamp with time zone NOT NULL,
	"qbo_refresh_token_enc" text NOT NULL,
	"qbo_refresh_token_expires_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "oauth_states_expires_idx" ON "oauth_states" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "qbo_grants_shop_idx" ON "qbo_grants" USING btree ("shop_domain");