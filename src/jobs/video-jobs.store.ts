/**
 * Video jobs in the `jobs` table (kind 'video'): the source of truth for every job. A queue (BullMQ
 * or in-process) only carries job ids; whatever a runner needs to resume a job after a restart —
 * the provider's task id above all — is written here before it is acted on.
 *
 * Payloads hold no key material: the integration id, never the key (the runner decrypts it at run
 * time through the vault).
 */
import type { HeldBudgets } from '../metering/budgets/budget-enforcer.js';
import { and, asc, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../store/db.js';
import { jobs } from '../store/schema.js';

export const VIDEO_JOB_KIND = 'video';

export interface VideoJobPayload {
  service: string;
  /** The provider's model id. */
  model: string;
  /** The model as the client named it (echoed in the Video object). */
  requestedModel: string;
  integrationId: string;
  userId: string;
  teamId: string | null;
  keyId: string | null;
  requestId: string;
  request: { prompt: string; seconds?: string; size?: string; input_reference?: string };
  webhookUrl: string | null;
  /** The worst-case cost reserved against budgets when the job was created, settled when it ends. */
  budgets?: HeldBudgets | null;
}

export interface VideoJobResult {
  providerTaskId?: string;
  videoUrl?: string;
  seconds?: number;
  completedAt?: number;
  webhook?: { delivered: boolean; attempts: number; lastStatus?: number };
}

export interface VideoJobError {
  code: string;
  message: string;
  source?: string;
}

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface VideoJob {
  id: string;
  ownerUserId: string | null;
  ownerTeamId: string | null;
  status: JobStatus;
  progress: number;
  payload: VideoJobPayload;
  result: VideoJobResult | null;
  error: VideoJobError | null;
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Whose jobs a caller sees: a team's when acting for it, else their own. */
export interface JobScope {
  userId: string;
  teamId?: string | undefined;
}

const toJob = (row: typeof jobs.$inferSelect): VideoJob => ({
  id: row.id,
  ownerUserId: row.ownerUserId,
  ownerTeamId: row.ownerTeamId,
  status: row.status,
  progress: row.progress,
  payload: row.payload as VideoJobPayload,
  result: (row.result as VideoJobResult | null) ?? null,
  error: (row.error as VideoJobError | null) ?? null,
  attempts: row.attempts,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

const scoped = (scope: JobScope) =>
  and(eq(jobs.kind, VIDEO_JOB_KIND), scope.teamId ? eq(jobs.ownerTeamId, scope.teamId) : eq(jobs.ownerUserId, scope.userId));

export function createVideoJobsStore(db: Database) {
  return {
    async insert(job: { id: string; scope: JobScope; payload: VideoJobPayload }): Promise<VideoJob> {
      const [row] = await db
        .insert(jobs)
        .values({
          id: job.id,
          kind: VIDEO_JOB_KIND,
          ownerUserId: job.scope.teamId ? null : job.scope.userId,
          ownerTeamId: job.scope.teamId ?? null,
          status: 'queued',
          payload: job.payload,
        })
        .returning();
      return toJob(row!);
    },

    async findForScope(id: string, scope: JobScope): Promise<VideoJob | undefined> {
      const [row] = await db.select().from(jobs).where(and(eq(jobs.id, id), scoped(scope))).limit(1);
      return row ? toJob(row) : undefined;
    },

    /** Newest first; `after` is the id of the last video of the previous page. */
    async listForScope(scope: JobScope, options: { limit: number; after?: string | undefined; order: 'asc' | 'desc' }): Promise<VideoJob[]> {
      const cursor = options.after ? (options.order === 'desc' ? lt(jobs.id, options.after) : sql`${jobs.id} > ${options.after}`) : undefined;
      const rows = await db
        .select()
        .from(jobs)
        .where(and(scoped(scope), cursor))
        .orderBy(options.order === 'desc' ? desc(jobs.id) : asc(jobs.id))
        .limit(options.limit);
      return rows.map(toJob);
    },

    async findById(id: string): Promise<VideoJob | undefined> {
      const [row] = await db.select().from(jobs).where(and(eq(jobs.id, id), eq(jobs.kind, VIDEO_JOB_KIND))).limit(1);
      return row ? toJob(row) : undefined;
    },

    /**
     * Jobs a runner must (re)take: unfinished ones, and finished ones (of the last day) whose
     * webhook was never attempted because the process stopped in between. Oldest first.
     */
    async listUnfinished(): Promise<string[]> {
      const rows = await db
        .select({ id: jobs.id })
        .from(jobs)
        .where(
          and(
            eq(jobs.kind, VIDEO_JOB_KIND),
            or(
              inArray(jobs.status, ['queued', 'running']),
              and(
                inArray(jobs.status, ['completed', 'failed']),
                sql`${jobs.payload}->>'webhookUrl' is not null`,
                sql`(${jobs.result} is null or ${jobs.result}->'webhook' is null)`,
                sql`${jobs.updatedAt} > now() - interval '1 day'`,
              ),
            ),
          ),
        )
        .orderBy(asc(jobs.createdAt));
      return rows.map((row) => row.id);
    },

    async update(
      id: string,
      patch: { status?: JobStatus; progress?: number; result?: VideoJobResult; error?: VideoJobError | null; attempts?: number },
    ): Promise<void> {
      await db
        .update(jobs)
        .set({ ...patch, updatedAt: new Date() })
        .where(eq(jobs.id, id));
    },
  };
}

export type VideoJobsStore = ReturnType<typeof createVideoJobsStore>;
