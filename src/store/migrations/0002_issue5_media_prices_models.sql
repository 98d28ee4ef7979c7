CREATE TABLE "price_overrides" (
	"id" text PRIMARY KEY NOT NULL,
	"service" text NOT NULL,
	"model" text NOT NULL,
	"input_micros_per_mtok" bigint,
	"output_micros_per_mtok" bigint,
	"cached_input_micros_per_mtok" bigint,
	"cache_write_micros_per_mtok" bigint,
	"per_image_micros" bigint,
	"per_second_micros" bigint,
	"effective_from" timestamp with time zone NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "models" text[];--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "progress" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_records" ADD COLUMN "image_count" integer;--> statement-breakpoint
ALTER TABLE "usage_records" ADD COLUMN "video_seconds" integer;--> statement-breakpoint
ALTER TABLE "usage_records" ADD COLUMN "catalog_version" text;--> statement-breakpoint
CREATE INDEX "price_overrides_model_idx" ON "price_overrides" USING btree ("service","model","effective_from");