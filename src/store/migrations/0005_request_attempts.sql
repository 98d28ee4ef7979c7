ALTER TABLE "usage_records" ADD COLUMN "requested_model" text;--> statement-breakpoint
ALTER TABLE "usage_records" ADD COLUMN "attempts" jsonb;