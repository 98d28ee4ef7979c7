import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { DbExecutor } from '../store/db.js';
import { dataKeys, integrations } from '../store/schema.js';
import type { InvalidationBus } from '../platform/invalidation.js';
import type { OwnerRef } from './envelope.js';

export type IntegrationRow = typeof integrations.$inferSelect;
export type NewIntegrationRow = typeof integrations.$inferInsert;
export type DataKeyRow = typeof dataKeys.$inferSelect;

const ownerFilter = (owner: OwnerRef) =>
  owner.kind === 'user' ? eq(integrations.ownerUserId, owner.id) : eq(integrations.ownerTeamId, owner.id);

const dataKeyOwnerFilter = (owner: OwnerRef) =>
  owner.kind === 'user' ? eq(dataKeys.ownerUserId, owner.id) : eq(dataKeys.ownerTeamId, owner.id);

export const ownerOfRow = (row: Pick<IntegrationRow, 'ownerUserId' | 'ownerTeamId'>): OwnerRef =>
  row.ownerUserId ? { kind: 'user', id: row.ownerUserId } : { kind: 'team', id: row.ownerTeamId as string };

/** Tells every replica an integration changed (`integration` topic, `<kind>:<ownerId>:<id>`): caches of it are dropped. */
export const publishIntegrationChange = (bus: Pick<InvalidationBus, 'publish'>, owner: OwnerRef, id: string): void =>
  bus.publish('integration', `${owner.kind}:${owner.id}:${id}`);

/** Drizzle queries for integrations and data keys. Every query is filtered by owner. */
export function createIntegrationsStore(db: DbExecutor) {
  return {
    async findDataKey(owner: OwnerRef, tx: DbExecutor = db): Promise<DataKeyRow | undefined> {
      const rows = await tx.select().from(dataKeys).where(dataKeyOwnerFilter(owner)).limit(1);
      return rows[0];
    },

    async findDataKeyById(id: string, tx: DbExecutor = db): Promise<DataKeyRow | undefined> {
      const rows = await tx.select().from(dataKeys).where(eq(dataKeys.id, id)).limit(1);
      return rows[0];
    },

    /** Insert unless the owner already has one (a concurrent request may have won the race). */
    async insertDataKey(row: typeof dataKeys.$inferInsert, tx: DbExecutor = db): Promise<void> {
      await tx.insert(dataKeys).values(row).onConflictDoNothing();
    },

    async insert(row: NewIntegrationRow, tx: DbExecutor = db): Promise<IntegrationRow> {
      const [created] = await tx.insert(integrations).values(row).returning();
      if (!created) throw new Error('insert returned no row');
      return created;
    },

    async find(owner: OwnerRef, id: string, tx: DbExecutor = db): Promise<IntegrationRow | undefined> {
      const rows = await tx
        .select()
        .from(integrations)
        .where(and(ownerFilter(owner), eq(integrations.id, id)))
        .limit(1);
      return rows[0];
    },

    /** Newest first, keyset-paginated by id (ULIDs sort by creation time). */
    async list(owner: OwnerRef, options: { limit: number; before?: string }, tx: DbExecutor = db): Promise<IntegrationRow[]> {
      return tx
        .select()
        .from(integrations)
        .where(and(ownerFilter(owner), options.before ? lt(integrations.id, options.before) : undefined))
        .orderBy(desc(integrations.id))
        .limit(options.limit);
    },

    /** The owner's integrations for one service, oldest first: the default pick is the first active one. */
    async listForService(owner: OwnerRef, service: string, tx: DbExecutor = db): Promise<IntegrationRow[]> {
      return tx
        .select()
        .from(integrations)
        .where(and(ownerFilter(owner), eq(integrations.service, service)))
        .orderBy(integrations.id);
    },

    async update(
      owner: OwnerRef,
      id: string,
      patch: Partial<NewIntegrationRow>,
      tx: DbExecutor = db,
    ): Promise<IntegrationRow | undefined> {
      const [row] = await tx
        .update(integrations)
        .set({ ...patch, updatedAt: sql`now()` })
        .where(and(ownerFilter(owner), eq(integrations.id, id)))
        .returning();
      return row;
    },

    async remove(owner: OwnerRef, id: string, tx: DbExecutor = db): Promise<boolean> {
      const rows = await tx
        .delete(integrations)
        .where(and(ownerFilter(owner), eq(integrations.id, id)))
        .returning({ id: integrations.id });
      return rows.length > 0;
    },
  };
}

export type IntegrationsStore = ReturnType<typeof createIntegrationsStore>;
