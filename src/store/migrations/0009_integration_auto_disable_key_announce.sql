ALTER TABLE "integrations" ADD COLUMN "disabled_by" text;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "retry_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "retry_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "platform_keys" ADD COLUMN "revoked_announced_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "integrations_retry_idx" ON "integrations" USING btree ("retry_at") WHERE retry_at is not null;--> statement-breakpoint
CREATE INDEX "platform_keys_unannounced_idx" ON "platform_keys" USING btree ("revoked_at") WHERE revoked_at is not null and revoked_announced_at is null;--> statement-breakpoint
-- Integrations disabled before this migration were disabled by a person.
UPDATE "integrations" SET "disabled_by" = 'user' WHERE "disabled_at" IS NOT NULL;--> statement-breakpoint
-- Keys already revoked are not announced again by the sweep (only graces still running are).
UPDATE "platform_keys" SET "revoked_announced_at" = "revoked_at" WHERE "revoked_at" IS NOT NULL AND "revoked_at" <= now();
