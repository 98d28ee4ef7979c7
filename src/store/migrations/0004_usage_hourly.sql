CREATE TABLE "usage_hourly" (
	"user_id" text NOT NULL,
	"team_id" text DEFAULT '' NOT NULL,
	"bucket_start" timestamp with time zone NOT NULL,
	"key_id" text DEFAULT '' NOT NULL,
	"integration_id" text DEFAULT '' NOT NULL,
	"service" text NOT NULL,
	"model" text NOT NULL,
	"status_class" text NOT NULL,
	"error_source" text DEFAULT '' NOT NULL,
	"fallback" boolean NOT NULL,
	"requests" integer NOT NULL,
	"errors" integer NOT NULL,
	"input_tokens" bigint NOT NULL,
	"output_tokens" bigint NOT NULL,
	"cost_micros" bigint NOT NULL,
	"unpriced_requests" integer NOT NULL,
	"estimated_requests" integer NOT NULL,
	"latency_sum_ms" bigint NOT NULL,
	"latency_hist" integer[] NOT NULL,
	"ttft_hist" integer[] NOT NULL,
	CONSTRAINT "usage_hourly_pk" PRIMARY KEY("user_id","bucket_start","team_id","key_id","integration_id","service","model","status_class","error_source","fallback")
);
--> statement-breakpoint
CREATE INDEX "usage_hourly_team_idx" ON "usage_hourly" USING btree ("team_id","bucket_start") WHERE team_id <> '';--> statement-breakpoint
CREATE INDEX "usage_hourly_bucket_idx" ON "usage_hourly" USING btree ("bucket_start");--> statement-breakpoint
-- Backfill: the rollup of every usage row recorded before this migration (usage-rollup.ts, rollupUpsertSql('usage_records')).
insert into usage_hourly (user_id, bucket_start, team_id, key_id, integration_id, service, model, status_class, error_source, fallback, requests, errors, input_tokens, output_tokens, cost_micros,
    unpriced_requests, estimated_requests, latency_sum_ms, latency_hist, ttft_hist)
  select user_id, bucket_start, team_id, key_id, integration_id, service, model, status_class, error_source, fallback,
    count(*), count(*) filter (where status >= 400), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),
    coalesce(sum(cost_micros), 0), count(*) filter (where not priced), count(*) filter (where estimated),
    coalesce(sum(latency_ms), 0), array[count(*) filter (where latency_cell = 0), count(*) filter (where latency_cell = 1), count(*) filter (where latency_cell = 2), count(*) filter (where latency_cell = 3), count(*) filter (where latency_cell = 4), count(*) filter (where latency_cell = 5), count(*) filter (where latency_cell = 6), count(*) filter (where latency_cell = 7), count(*) filter (where latency_cell = 8), count(*) filter (where latency_cell = 9), count(*) filter (where latency_cell = 10), count(*) filter (where latency_cell = 11), count(*) filter (where latency_cell = 12), count(*) filter (where latency_cell = 13), count(*) filter (where latency_cell = 14), count(*) filter (where latency_cell = 15), count(*) filter (where latency_cell = 16), count(*) filter (where latency_cell = 17), count(*) filter (where latency_cell = 18), count(*) filter (where latency_cell = 19), count(*) filter (where latency_cell = 20), count(*) filter (where latency_cell = 21), count(*) filter (where latency_cell = 22), count(*) filter (where latency_cell = 23), count(*) filter (where latency_cell = 24), count(*) filter (where latency_cell = 25)]::int[], array[count(*) filter (where ttft_cell = 0), count(*) filter (where ttft_cell = 1), count(*) filter (where ttft_cell = 2), count(*) filter (where ttft_cell = 3), count(*) filter (where ttft_cell = 4), count(*) filter (where ttft_cell = 5), count(*) filter (where ttft_cell = 6), count(*) filter (where ttft_cell = 7), count(*) filter (where ttft_cell = 8), count(*) filter (where ttft_cell = 9), count(*) filter (where ttft_cell = 10), count(*) filter (where ttft_cell = 11), count(*) filter (where ttft_cell = 12), count(*) filter (where ttft_cell = 13), count(*) filter (where ttft_cell = 14), count(*) filter (where ttft_cell = 15), count(*) filter (where ttft_cell = 16), count(*) filter (where ttft_cell = 17), count(*) filter (where ttft_cell = 18), count(*) filter (where ttft_cell = 19), count(*) filter (where ttft_cell = 20), count(*) filter (where ttft_cell = 21), count(*) filter (where ttft_cell = 22), count(*) filter (where ttft_cell = 23), count(*) filter (where ttft_cell = 24), count(*) filter (where ttft_cell = 25)]::int[]
  from (
    select r.user_id, coalesce(r.team_id, '') as team_id, coalesce(r.key_id, '') as key_id,
      coalesce(r.integration_id, '') as integration_id, r.service, r.model, (r.status / 100)::text || 'xx' as status_class,
      coalesce(r.error_source, '') as error_source, r.fallback, r.status, r.input_tokens, r.output_tokens, r.cost_micros,
      r.priced, r.estimated, r.latency_ms,
      date_bin('900 seconds', r.created_at, timestamptz '2000-01-01T00:00:00Z') as bucket_start,
      width_bucket(r.latency_ms, '{10,16,25,40,63,100,160,250,400,630,1000,1600,2500,4000,6300,10000,16000,25000,40000,63000,100000,160000,250000,400000,630000}'::int[]) as latency_cell, width_bucket(r.ttft_ms, '{10,16,25,40,63,100,160,250,400,630,1000,1600,2500,4000,6300,10000,16000,25000,40000,63000,100000,160000,250000,400000,630000}'::int[]) as ttft_cell
    from usage_records r
  ) s
  group by user_id, bucket_start, team_id, key_id, integration_id, service, model, status_class, error_source, fallback
  order by user_id, bucket_start, team_id, key_id, integration_id, service, model, status_class, error_source, fallback
  on conflict on constraint usage_hourly_pk do update set
    requests = usage_hourly.requests + excluded.requests, errors = usage_hourly.errors + excluded.errors, input_tokens = usage_hourly.input_tokens + excluded.input_tokens, output_tokens = usage_hourly.output_tokens + excluded.output_tokens, cost_micros = usage_hourly.cost_micros + excluded.cost_micros, unpriced_requests = usage_hourly.unpriced_requests + excluded.unpriced_requests, estimated_requests = usage_hourly.estimated_requests + excluded.estimated_requests, latency_sum_ms = usage_hourly.latency_sum_ms + excluded.latency_sum_ms,
    latency_hist = array[usage_hourly.latency_hist[1] + excluded.latency_hist[1], usage_hourly.latency_hist[2] + excluded.latency_hist[2], usage_hourly.latency_hist[3] + excluded.latency_hist[3], usage_hourly.latency_hist[4] + excluded.latency_hist[4], usage_hourly.latency_hist[5] + excluded.latency_hist[5], usage_hourly.latency_hist[6] + excluded.latency_hist[6], usage_hourly.latency_hist[7] + excluded.latency_hist[7], usage_hourly.latency_hist[8] + excluded.latency_hist[8], usage_hourly.latency_hist[9] + excluded.latency_hist[9], usage_hourly.latency_hist[10] + excluded.latency_hist[10], usage_hourly.latency_hist[11] + excluded.latency_hist[11], usage_hourly.latency_hist[12] + excluded.latency_hist[12], usage_hourly.latency_hist[13] + excluded.latency_hist[13], usage_hourly.latency_hist[14] + excluded.latency_hist[14], usage_hourly.latency_hist[15] + excluded.latency_hist[15], usage_hourly.latency_hist[16] + excluded.latency_hist[16], usage_hourly.latency_hist[17] + excluded.latency_hist[17], usage_hourly.latency_hist[18] + excluded.latency_hist[18], usage_hourly.latency_hist[19] + excluded.latency_hist[19], usage_hourly.latency_hist[20] + excluded.latency_hist[20], usage_hourly.latency_hist[21] + excluded.latency_hist[21], usage_hourly.latency_hist[22] + excluded.latency_hist[22], usage_hourly.latency_hist[23] + excluded.latency_hist[23], usage_hourly.latency_hist[24] + excluded.latency_hist[24], usage_hourly.latency_hist[25] + excluded.latency_hist[25], usage_hourly.latency_hist[26] + excluded.latency_hist[26]], ttft_hist = array[usage_hourly.ttft_hist[1] + excluded.ttft_hist[1], usage_hourly.ttft_hist[2] + excluded.ttft_hist[2], usage_hourly.ttft_hist[3] + excluded.ttft_hist[3], usage_hourly.ttft_hist[4] + excluded.ttft_hist[4], usage_hourly.ttft_hist[5] + excluded.ttft_hist[5], usage_hourly.ttft_hist[6] + excluded.ttft_hist[6], usage_hourly.ttft_hist[7] + excluded.ttft_hist[7], usage_hourly.ttft_hist[8] + excluded.ttft_hist[8], usage_hourly.ttft_hist[9] + excluded.ttft_hist[9], usage_hourly.ttft_hist[10] + excluded.ttft_hist[10], usage_hourly.ttft_hist[11] + excluded.ttft_hist[11], usage_hourly.ttft_hist[12] + excluded.ttft_hist[12], usage_hourly.ttft_hist[13] + excluded.ttft_hist[13], usage_hourly.ttft_hist[14] + excluded.ttft_hist[14], usage_hourly.ttft_hist[15] + excluded.ttft_hist[15], usage_hourly.ttft_hist[16] + excluded.ttft_hist[16], usage_hourly.ttft_hist[17] + excluded.ttft_hist[17], usage_hourly.ttft_hist[18] + excluded.ttft_hist[18], usage_hourly.ttft_hist[19] + excluded.ttft_hist[19], usage_hourly.ttft_hist[20] + excluded.ttft_hist[20], usage_hourly.ttft_hist[21] + excluded.ttft_hist[21], usage_hourly.ttft_hist[22] + excluded.ttft_hist[22], usage_hourly.ttft_hist[23] + excluded.ttft_hist[23], usage_hourly.ttft_hist[24] + excluded.ttft_hist[24], usage_hourly.ttft_hist[25] + excluded.ttft_hist[25], usage_hourly.ttft_hist[26] + excluded.ttft_hist[26]];