/**
 * Integrations: a tenant's stored provider keys. Creates and replaces keys under envelope
 * encryption, serves masked views to the API, and resolves a decrypted credential for the
 * gateway (from cache on the hot path; see README.md for the invariants).
 */
import type { AuditLog } from '../platform/audit.js';
import type { InvalidationBus } from '../platform/invalidation.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Database } from '../store/db.js';
import type { MonthlyQuotaSpec, RateLimitSpec } from '../store/schema.js';
import { normaliseBaseUrl } from '../gateway/upstream-guard.js';
import type { ServiceId } from '../gateway/providers/provider.js';
import { dataKeyAad, generateDataKey, open, seal, secretAad, type OwnerRef } from './envelope.js';
import type { Keyring } from './keyring.js';
import { ownerOfRow, publishIntegrationChange, type IntegrationRow, type IntegrationsStore } from './integrations.store.js';
import type { SecretCache } from './secret-cache.js';

/** Services whose requests need an explicit base URL: there is no official endpoint to default to. */
const servicesRequiringBaseUrl: ReadonlySet<ServiceId> = new Set(['openai_compatible', 'midjourney']);

export interface IntegrationInput {
  service: ServiceId;
  api_key: string;
  name?: string | undefined;
  base_url?: string | null | undefined;
  rate_limit?: RateLimitSpec | null | undefined;
  monthly_quota?: MonthlyQuotaSpec | null | undefined;
}

export type IntegrationPatch = Partial<IntegrationInput>;

/** The only shape of an integration that leaves the vault: never the key, only its last 4. */
export interface IntegrationView {
  id: string;
  service: string;
  name: string;
  key_last4: string;
  base_url: string | null;
  status: IntegrationRow['status'];
  last_error: string | null;
  last_checked_at: string | null;
  rate_limit: RateLimitSpec | null;
  monthly_quota: MonthlyQuotaSpec | null;
  /** The provider's own model ids as of the last successful key check (null: never listed). */
  models: string[] | null;
  team_id: string | null;
  /** Set while disabled: requests skip it (POST …/disable, …/enable). */
  disabled_at: string | null;
  disabled_reason: string | null;
  /** Who disabled it: a person, or the auto-disable policy after repeated key rejections (null while enabled). */
  disabled_by: 'user' | 'system' | null;
  /** When the policy re-checks the stored key of an integration it disabled (null otherwise). */
  retry_at: string | null;
  created_at: string;
  updated_at: string;
}

export function toIntegrationView(row: IntegrationRow): IntegrationView {
  return {
    id: row.id,
    service: row.service,
    name: row.name,
    key_last4: row.keyLast4,
    base_url: row.baseUrl,
    status: row.status,
    last_error: row.lastError,
    last_checked_at: row.lastCheckedAt?.toISOString() ?? null,
    rate_limit: row.rateLimit ?? null,
    monthly_quota: row.monthlyQuota ?? null,
    models: row.models ?? null,
    team_id: row.ownerTeamId,
    disabled_at: row.disabledAt?.toISOString() ?? null,
    disabled_reason: row.disabledReason,
    disabled_by: row.disabledAt === null ? null : (row.disabledBy ?? 'user'),
    retry_at: row.retryAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** A decrypted credential for one provider call. Never log, cache outside the vault, or return it. */
export interface ResolvedCredential {
  integrationId: string;
  service: ServiceId;
  /** The integration's base URL override, if any (else the platform default applies). */
  baseUrl: string | null;
  apiKey: string;
  /** The integration's own rate limits (`rate_limit`), or null. */
  rateLimit: RateLimitSpec | null;
}

export interface IntegrationsServiceDeps {
  db: Database;
  store: IntegrationsStore;
  keyring: Keyring;
  cache: SecretCache;
  /** Changes are published here; every process (this one included) drops its cached copy. */
  bus: InvalidationBus;
  audit: AuditLog;
  allowPrivateUpstreams: boolean;
  /** Told of each data key that fails to unwrap, by master key id (switchboard_secret_decrypt_failures_total). */
  onDecryptFailure?: (kekId: string) => void;
  /** Told of each integration disabled or re-enabled (the live `integration.status` event). */
  onStatus?: (row: IntegrationRow) => void;
}

/** The reason stored when whoever disables an integration gives none. */
export const DEFAULT_DISABLED_REASON = 'Disabled manually.';

/** A disabled integration that would otherwise have served a call: what the error names. */
export interface DisabledIntegration {
  id: string;
  name: string;
  reason: string;
}

export interface Actor {
  userId: string;
  ip?: string | null;
  userAgent?: string | null;
}

const last4 = (apiKey: string) => apiKey.slice(-4);

/** The settings an audit event may carry as before/after: never the key, nor any part of it. */
const settingsOf = (row: IntegrationRow) => ({
  service: row.service,
  name: row.name,
  base_url: row.baseUrl,
  rate_limit: row.rateLimit ?? null,
  monthly_quota: row.monthlyQuota ?? null,
});

/** An open transaction on the request pool. */
type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

export function createIntegrationsService(deps: IntegrationsServiceDeps) {
  const { db, store, keyring, cache, audit, bus } = deps;
  const published = (owner: OwnerRef, id: string) => publishIntegrationChange(bus, owner, id);

  /** The owner's data key, created (and wrapped under the primary master key) on first use. */
  async function dataKeyFor(owner: OwnerRef, tx: Tx) {
    let row = await store.findDataKey(owner, tx);
    if (!row) {
      const id = newId();
      const dek = generateDataKey();
      await store.insertDataKey(
        {
          id,
          ownerUserId: owner.kind === 'user' ? owner.id : null,
          ownerTeamId: owner.kind === 'team' ? owner.id : null,
          kekId: keyring.primary.id,
          wrappedKey: seal(keyring.primary.key, dek, dataKeyAad(owner, id)),
        },
        tx,
      );
      row = await store.findDataKey(owner, tx);
      if (!row) throw new Error('data key vanished after insert');
    }
    return { id: row.id, key: unwrap(owner, row.id, row.kekId, row.wrappedKey) };
  }

  function unwrap(owner: OwnerRef, dataKeyId: string, kekId: string, wrapped: Buffer): Buffer {
    const cached = cache.getDataKey(dataKeyId);
    if (cached) return cached;
    const kek = keyring.get(kekId);
    if (!kek) {
      deps.onDecryptFailure?.(kekId);
      throw new AppError('internal_error', { cause: new Error(`master key ${kekId} is not in the keyring`) });
    }
    let key: Buffer;
    try {
      key = open(kek.key, wrapped, dataKeyAad(owner, dataKeyId));
    } catch (error) {
      deps.onDecryptFailure?.(kekId);
      throw error;
    }
    cache.setDataKey(dataKeyId, key);
    return key;
  }

  function checkBaseUrl(service: ServiceId, baseUrl: string | null | undefined): string | null {
    if (baseUrl === null || baseUrl === undefined) {
      if (servicesRequiringBaseUrl.has(service)) {
        throw new AppError('invalid_request', { param: 'base_url', message: `base_url is required for service "${service}".` });
      }
      return null;
    }
    return normaliseBaseUrl(baseUrl, { allowPrivate: deps.allowPrivateUpstreams });
  }

  function requireApiKey(apiKey: string | undefined): string {
    const trimmed = apiKey?.trim() ?? '';
    if (trimmed.length === 0) throw new AppError('invalid_request', { param: 'api_key', message: 'api_key is required.' });
    return trimmed;
  }

  const recordChange = (action: string, actor: Actor, owner: OwnerRef, id: string, tx: Tx, metadata?: Record<string, unknown>) =>
    audit.record(
      {
        action,
        actorUserId: actor.userId,
        teamId: owner.kind === 'team' ? owner.id : null,
        targetKind: 'integration',
        targetId: id,
        ip: actor.ip,
        userAgent: actor.userAgent,
        ...(metadata ? { metadata } : {}),
      },
      tx,
    );

  async function notFound(): Promise<never> {
    throw new AppError('not_found', { message: 'Integration not found.' });
  }

  return {
    /** The credentials of a create, validated as a create validates them (base_url SSRF rules included); nothing stored. */
    validateCredentials(input: { service: ServiceId; api_key: string; base_url?: string | null | undefined }): { service: ServiceId; apiKey: string; baseUrl: string | null } {
      return { service: input.service, apiKey: requireApiKey(input.api_key), baseUrl: checkBaseUrl(input.service, input.base_url) };
    },

    async storeIntegration(actor: Actor, owner: OwnerRef, input: IntegrationInput): Promise<IntegrationView> {
      const apiKey = requireApiKey(input.api_key);
      const baseUrl = checkBaseUrl(input.service, input.base_url);
      const id = newId();
      const row = await db.transaction(async (tx) => {
        const dek = await dataKeyFor(owner, tx);
        const created = await store.insert(
          {
            id,
            ownerUserId: owner.kind === 'user' ? owner.id : null,
            ownerTeamId: owner.kind === 'team' ? owner.id : null,
            service: input.service,
            name: input.name?.trim() || input.service,
            apiKeyEncrypted: seal(dek.key, Buffer.from(apiKey, 'utf8'), secretAad(owner, id, 1)),
            dataKeyId: dek.id,
            keyVersion: 1,
            keyLast4: last4(apiKey),
            baseUrl,
            rateLimit: input.rate_limit ?? null,
            monthlyQuota: input.monthly_quota ?? null,
            createdBy: actor.userId,
          },
          tx,
        );
        await recordChange('integration.created', actor, owner, id, tx, { service: input.service, after: settingsOf(created) });
        return created;
      });
      published(owner, id);
      return toIntegrationView(row);
    },

    async listIntegrations(owner: OwnerRef, page: { limit: number; cursor?: string }) {
      const rows = await store.list(owner, { limit: page.limit + 1, ...(page.cursor ? { before: page.cursor } : {}) });
      const data = rows.slice(0, page.limit).map(toIntegrationView);
      const nextCursor = rows.length > page.limit ? (data.at(-1)?.id ?? null) : null;
      return { data, next_cursor: nextCursor };
    },

    async getIntegration(owner: OwnerRef, id: string): Promise<IntegrationView> {
      const row = await store.find(owner, id);
      return row ? toIntegrationView(row) : notFound();
    },

    async updateIntegration(actor: Actor, owner: OwnerRef, id: string, patch: IntegrationPatch): Promise<IntegrationView> {
      const row = await db.transaction(async (tx) => {
        const current = await store.find(owner, id, tx);
        if (!current) return notFound();
        if (patch.service !== undefined && patch.service !== current.service) {
          throw new AppError('invalid_request', {
            param: 'service',
            message: 'service cannot be changed; create a new integration instead.',
          });
        }
        const service = current.service as ServiceId;
        const changes: Parameters<IntegrationsStore['update']>[2] = {};
        if (patch.name !== undefined) changes.name = patch.name.trim() || service;
        if (patch.base_url !== undefined) changes.baseUrl = checkBaseUrl(service, patch.base_url);
        if (patch.rate_limit !== undefined) changes.rateLimit = patch.rate_limit;
        if (patch.monthly_quota !== undefined) changes.monthlyQuota = patch.monthly_quota;
        if (patch.api_key !== undefined) {
          const apiKey = requireApiKey(patch.api_key);
          const dek = await dataKeyFor(owner, tx);
          const keyVersion = current.keyVersion + 1;
          changes.apiKeyEncrypted = seal(dek.key, Buffer.from(apiKey, 'utf8'), secretAad(owner, id, keyVersion));
          changes.dataKeyId = dek.id;
          changes.keyVersion = keyVersion;
          changes.keyLast4 = last4(apiKey);
          // A new key has not been checked yet: clear the verdict about the old one.
          changes.status = 'active';
          changes.lastError = null;
          changes.lastCheckedAt = null;
        }
        const updated = await store.update(owner, id, changes, tx);
        if (!updated) return notFound();
        await recordChange(patch.api_key !== undefined ? 'integration.key_replaced' : 'integration.updated', actor, owner, id, tx, {
          fields: Object.keys(patch).filter((field) => field !== 'api_key'),
          key_replaced: patch.api_key !== undefined,
          before: settingsOf(current),
          after: settingsOf(updated),
        });
        return updated;
      });
      published(owner, id);
      return toIntegrationView(row);
    },

    async deleteIntegration(actor: Actor, owner: OwnerRef, id: string): Promise<void> {
      await db.transaction(async (tx) => {
        const current = await store.find(owner, id, tx);
        if (!current || !(await store.remove(owner, id, tx))) return notFound();
        await recordChange('integration.deleted', actor, owner, id, tx, { before: settingsOf(current) });
      });
      published(owner, id);
    },

    /**
     * Takes the integration out of service: the gateway skips it (a route falls over to its next
     * target) until it is re-enabled. The key, settings and verdict are kept. Disabling one a
     * person disabled changes nothing (its first reason and time stay); disabling one the policy
     * disabled makes it the person's (their reason, no automatic re-check any more).
     */
    async disableIntegration(actor: Actor, owner: OwnerRef, id: string, reason?: string): Promise<IntegrationView> {
      const text = reason?.trim() || DEFAULT_DISABLED_REASON;
      return setDisabled(actor, owner, id, { disabledAt: new Date(), disabledReason: text, disabledBy: 'user', retryAt: null, retryAttempts: 0 });
    },

    /** Puts a disabled integration back into service, whoever disabled it (no-op when it is enabled). */
    async enableIntegration(actor: Actor, owner: OwnerRef, id: string): Promise<IntegrationView> {
      return setDisabled(actor, owner, id, { disabledAt: null, disabledReason: null, disabledBy: null, retryAt: null, retryAttempts: 0 });
    },

    /** One integration's row and decrypted key (for its key check). Never log or return the key. */
    async credentialOf(owner: OwnerRef, id: string): Promise<{ row: IntegrationRow; apiKey: string }> {
      const row = await store.find(owner, id);
      if (!row) return notFound();
      return { row, apiKey: await decrypt(row) };
    },

    /**
     * The credential the gateway uses for `service` on behalf of `owner`: the oldest active
     * integration (else the oldest of any status, so a key fixed at the provider works again),
     * or, with `integrationId`, exactly that integration of theirs; never a disabled one.
     * Undefined when there is none (`findDisabled` then says whether a disabled one is why).
     * From cache in steady state: no database round-trip per AI request.
     */
    async resolveCredential(owner: OwnerRef, service: ServiceId, integrationId?: string): Promise<ResolvedCredential | undefined> {
      // Searched in place (no filtered copy): this runs on every AI request.
      const rows = await directoryOf(owner, service);
      const row =
        integrationId !== undefined
          ? rows.find((candidate) => candidate.id === integrationId && candidate.disabledAt === null)
          : (rows.find((candidate) => candidate.disabledAt === null && candidate.status === 'active') ?? rows.find((candidate) => candidate.disabledAt === null));
      if (!row) return undefined;
      return { integrationId: row.id, service, baseUrl: row.baseUrl, apiKey: await decrypt(row), rateLimit: row.rateLimit ?? null };
    },

    /**
     * The disabled integration that `resolveCredential` skipped for the same arguments (the oldest,
     * when several), so a failed call can say why. Read from the same cached directory.
     */
    async findDisabled(owner: OwnerRef, service: ServiceId, integrationId?: string): Promise<DisabledIntegration | undefined> {
      const row = (await directoryOf(owner, service)).find((candidate) => candidate.disabledAt !== null && (integrationId === undefined || candidate.id === integrationId));
      return row ? { id: row.id, name: row.name, reason: row.disabledReason ?? DEFAULT_DISABLED_REASON } : undefined;
    },
  };

  async function directoryOf(owner: OwnerRef, service: ServiceId): Promise<IntegrationRow[]> {
    let rows = cache.getDirectory(owner, service);
    if (!rows) {
      rows = await store.listForService(owner, service);
      cache.setDirectory(owner, service, rows);
    }
    return rows;
  }

  type DisabledChange = Pick<IntegrationRow, 'disabledAt' | 'disabledReason' | 'disabledBy' | 'retryAt' | 'retryAttempts'>;

  async function setDisabled(actor: Actor, owner: OwnerRef, id: string, change: DisabledChange): Promise<IntegrationView> {
    const disabling = change.disabledAt !== null;
    const outcome = await db.transaction(async (tx) => {
      const current = await store.find(owner, id, tx);
      if (!current) return notFound();
      const bySystem = current.disabledAt !== null && current.disabledBy === 'system';
      // A person taking over the policy's disable is a change; disabling their own again is not.
      if ((current.disabledAt !== null) === disabling && !(disabling && bySystem)) return { row: current, changed: false };
      const updated = await store.update(owner, id, disabling && bySystem ? { ...change, disabledAt: current.disabledAt } : change, tx);
      if (!updated) return notFound();
      const before = { disabled_reason: current.disabledReason, disabled_by: current.disabledAt === null ? null : (current.disabledBy ?? 'user') };
      await recordChange(disabling ? 'integration.disabled' : 'integration.enabled', actor, owner, id, tx, disabling ? { reason: change.disabledReason, ...(bySystem ? { before } : {}) } : { before });
      return { row: updated, changed: true };
    });
    if (outcome.changed) {
      published(owner, id);
      deps.onStatus?.(outcome.row);
    }
    return toIntegrationView(outcome.row);
  }

  async function decrypt(row: IntegrationRow): Promise<string> {
    const cached = cache.getSecret(row.id, row.keyVersion);
    if (cached !== undefined) return cached;
    const owner = ownerOfRow(row);
    let dataKey = cache.getDataKey(row.dataKeyId);
    if (!dataKey) {
      const dataKeyRow = await store.findDataKeyById(row.dataKeyId);
      if (!dataKeyRow) throw new AppError('internal_error', { cause: new Error(`data key ${row.dataKeyId} is missing`) });
      dataKey = unwrap(owner, dataKeyRow.id, dataKeyRow.kekId, dataKeyRow.wrappedKey);
    }
    const apiKey = open(dataKey, row.apiKeyEncrypted, secretAad(owner, row.id, row.keyVersion)).toString('utf8');
    cache.setSecret(row.id, row.keyVersion, apiKey);
    return apiKey;
  }
}

export type IntegrationsService = ReturnType<typeof createIntegrationsService>;
