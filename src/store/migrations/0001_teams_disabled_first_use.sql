ALTER TABLE "integrations" ADD COLUMN "first_used_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "disabled_at" timestamp with time zone;