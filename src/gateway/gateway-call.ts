/**
 * What every AI endpoint does around its provider call, in one place: resolve the model, check the
 * platform key's allow-list, find the caller's credential (own, else the team's), send through the
 * pooled upstream client (cancelled when the client goes away), read error and JSON bodies
 * defensively, and meter exactly once. Endpoint handlers (chat, embeddings, images, …) keep only
 * their own translation.
 */
import type { Context } from 'hono';
import { isModelAllowed } from '../accounts/platform-keys.service.js';
import type { AppEnv, Principal } from '../http/context.js';
import type { ActivityTracker } from '../metering/activity-tracker.js';
import type { BudgetEnforcer, HeldBudgets, Reservation } from '../metering/budgets/budget-enforcer.js';
import { worstCaseMicros } from '../metering/budgets/worst-case.js';
import type { PriceCatalog } from '../metering/price-catalog.js';
import type { UsageRecorder } from '../metering/usage-recorder.js';
import type { GatewayTelemetry } from './gateway-telemetry.js';
import type { NewUsageRecord } from '../metering/usage.store.js';
import { AppError, isAppError, toAppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { IntegrationHealth } from '../vault/integration-health.js';
import type { DisabledIntegration, IntegrationsService, ResolvedCredential } from '../vault/integrations.service.js';
import type { LocalText } from './local/local-text.js';
import { LOCAL_IMAGE_MODELS } from './providers/local/local-images.adapter.js';
import type { AiRateLimits } from './limits/ai-rate-limits.js';
import { requestBodyTokens } from './limits/token-estimate.js';
import type { ModelResolver, ModelTarget } from './model-resolver.js';
import type { CallContext, NormalizedUsage, ServiceId, UpstreamErrorResponse, UpstreamRequest } from './providers/provider.js';
import { classifyUpstreamFailure, isAbort, UpstreamAbort, type UpstreamClient, type UpstreamResponse } from './upstream-client.js';
import { BreakerOpenError, breakerKey, integrationBreakerKey, runChain, type Resilience } from './resilience/index.js';
import type { UsageAttempt } from '../store/schema.js';
import { requestHeader, setResponseHeader } from '../http/node-headers.js';

/** Attempts kept on a usage record: the first ones and the last (a chain is short; this bounds a runaway). */
export const MAX_RECORDED_ATTEMPTS = 10;

/** Provider error bodies are small; anything past this is not worth reading. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** nginx's convention for "client closed the connection before the response completed". */
export const CLIENT_CLOSED_STATUS = 499;

export type Operation = 'chat' | 'messages' | 'embeddings' | 'images' | 'video';

export interface GatewayDeps {
  integrations: Pick<IntegrationsService, 'resolveCredential' | 'findDisabled'>;
  resolveModel: ModelResolver;
  upstream: Pick<UpstreamClient, 'send'>;
  catalog: Pick<PriceCatalog, 'costOf'>;
  recorder: Pick<UsageRecorder, 'record'>;
  /** Notes which integration served (first-use audit), off the hot path. */
  activity: Pick<ActivityTracker, 'integrationUsed'>;
  /** Marks an integration `invalid` when its provider rejects the key (401/403), off the hot path. */
  keyHealth?: Pick<IntegrationHealth, 'providerRejected'>;
  providerBaseUrls: Record<ServiceId, string | undefined>;
  /** Service `local` (no integration): absent in setups without local models. */
  local?: Pick<LocalText, 'credential' | 'fallbackModel'>;
  /** Per platform key and per integration rate limits (absent: none). */
  rateLimits?: Pick<AiRateLimits, 'open'>;
  /** Retries, fallbacks and circuit breakers (resilience/): absent, every call is tried once. */
  resilience?: Resilience;
  /** Route names (virtual models) → fallback chains (routing/routes.service.ts). */
  routes?: { resolve(principal: Principal, model: string): Promise<{ candidates: CallTarget[]; fallbackLocal: boolean } | undefined> };
  /** Hard budgets: the worst case is reserved once the credential is known, settled by meter(). */
  budgets?: Pick<BudgetEnforcer, 'reserve' | 'settle' | 'handOff' | 'settleHeld'>;
  /** Metrics and CLIENT spans per attempt (gateway-telemetry.ts); absent: none. */
  telemetry?: GatewayTelemetry;
}

/** What a call will cost in tokens, for token limits and for billing an interrupted stream. */
export interface CallTokenEstimate {
  /** The prompt's tokens, estimated from the request (called only when needed). */
  promptTokens(): number;
  /** The most the answer may use (`max_tokens`), when the request says. */
  maxOutputTokens?: number | null | undefined;
}

/** What a handler says about the call it opens. */
export interface OpenCallOptions {
  /** The `model` the client asked for (a model, or a route name). */
  model: string;
  operation: Operation;
  stream?: boolean;
  estimate?: CallTokenEstimate;
  /** The most the call may use (prompt + output cap, images…), priced to reserve against budgets (computed only when a budget applies). */
  worstCase?: () => NormalizedUsage;
}

/** One candidate of a fallback chain: a target, optionally pinned to one integration of the route's owner. */
export interface CallTarget extends ModelTarget {
  integration?: { owner: { kind: 'user' | 'team'; id: string }; id: string };
  /** A route's `fallback_local`: the model is the configured local one, looked up when tried. */
  localFallback?: true;
}

export interface Outcome {
  status: number;
  usage?: NormalizedUsage;
  error?: AppError;
  errorCode?: string;
  ttftMs?: number;
  /** Counts were estimated (an interrupted stream), not reported by the provider. */
  estimated?: boolean;
  /** A local fallback answered. */
  fallback?: boolean;
  /** Why the model stopped (chat), for the CLIENT span's gen_ai.response.finish_reasons. */
  finishReason?: string | undefined;
}

/** The caller's credential for one call, with the base URL it is used against. */
export interface CallCredential extends Omit<ResolvedCredential, 'integrationId'> {
  /** Null for service `local`'s built-in credential (no integration behind it). */
  integrationId: string | null;
  baseUrl: string;
  /** User-supplied base URL: the upstream client refuses private addresses for it. */
  guarded: boolean;
}

/** The response headers that say what served a call: the integration, or `x-switchboard-fallback: local`. */
export function credentialHeaders(credential: Pick<CallCredential, 'integrationId'>): Record<string, string> {
  return credential.integrationId === null ? { 'x-switchboard-fallback': 'local' } : { 'x-switchboard-integration': credential.integrationId };
}

export interface GatewayCall {
  /** The candidate being tried (after `attempt`, the one that served). */
  readonly target: ModelTarget;
  readonly principal: Principal;
  readonly requestId: string;
  /** performance.now() when the call began. */
  readonly started: number;
  readonly integrationId: string | null;
  /** Resolves the caller's credential for the target's service (or `service`), once per call. */
  credential(service?: ServiceId): Promise<CallCredential>;
  /** The adapter's per-call context for a resolved credential. */
  callContext(credential: CallCredential, options?: { includeUsage?: boolean }): CallContext;
  /** Sends through the pooled client; aborted when the client disconnects (or `options.signal` aborts). */
  send(request: UpstreamRequest, credential: CallCredential, options?: { signal?: AbortSignal }): Promise<UpstreamResponse>;
  /** Records usage once (later calls are ignored). */
  meter(outcome: Outcome): void;
  /** Meters a failure and returns what the handler should throw (a client abort stays an abort). */
  fail(error: unknown): unknown;
  /**
   * Runs one attempt per try over the fallback chain (resilience/resilience.ts): retries, breakers,
   * falling over. `attempt` must resolve once the provider's headers arrived with a success status.
   */
  attempt<T>(attempt: () => Promise<T>): Promise<T>;
  /**
   * For work that ends after the response (video jobs): takes the budget reservation made by
   * `credential()` out of this call (meter() will not settle it) for whoever finishes the work.
   */
  handOffBudgets(): Promise<HeldBudgets | null>;
  /** The headers that say what served (integration, or `x-switchboard-fallback`), for responses built by hand. */
  servedBy(credential: Pick<CallCredential, 'integrationId'>): Record<string, string>;
}

export function openCall(
  c: Context<AppEnv>,
  deps: GatewayDeps,
  options: OpenCallOptions & { target?: ModelTarget; candidates?: CallTarget[]; fallbackLocal?: boolean },
): GatewayCall {
  const started = performance.now();
  const principal = c.get('principal');
  const requestId = c.get('requestId');
  const requested: CallTarget[] = options.candidates && options.candidates.length > 0 ? [...options.candidates] : [options.target ?? deps.resolveModel(options.model)];
  // A route's local fallback: text through the configured local model; images through the
  // built-in generator. Nothing local serves embeddings or video.
  if (options.fallbackLocal && deps.local && (options.operation === 'chat' || options.operation === 'messages')) requested.push({ service: 'local', model: '', localFallback: true });
  if (options.fallbackLocal && options.operation === 'images') requested.push({ service: 'local', model: LOCAL_IMAGE_MODELS[0] });
  // A key's allow-list: naming the model (or route) allows all of it, else each candidate must be allowed.
  const allowed = principal.allowedModels;
  const chain = !allowed || isModelAllowed(allowed, options.model) ? requested : requested.filter((candidate) => isModelAllowed(allowed, `${candidate.service}/${candidate.model}`));
  if (chain.length === 0) chain.push(requested[0]!);
  let current: CallTarget = chain[0]!;
  let target: ModelTarget = current;
  let candidateIndex = 0;
  let endpoint: string | undefined;
  let integrationId: string | null = null;
  let metered = false;
  let promptEstimate: number | undefined;
  const attemptAbort = createAttemptAborts(c);
  const promptTokens = () => (promptEstimate ??= options.estimate?.promptTokens() ?? requestBodyTokens(requestHeader(c, 'content-length')));
  const limits = deps.rateLimits?.open(principal, () => promptTokens() + (options.estimate?.maxOutputTokens ?? 0));
  /** Reserved against the caller's budgets (for the integration serving the attempt); settled by meter(). */
  let reservation: Promise<Reservation | undefined> | undefined;
  let reservedFor: string | undefined;
  const telemetry = deps.telemetry?.open(c, { operation: options.operation, stream: options.stream === true, started });
  /** Each upstream attempt, with the chain position it tried (turned into `next` when metered). */
  const attempts: (Omit<UsageAttempt, 'next'> & { candidate: number })[] = [];
  async function tracked<T>(run: () => Promise<T>): Promise<T> {
    const began = performance.now();
    const candidate = candidateIndex;
    const note = (status: number, error?: AppError) =>
      attempts.push({
        candidate,
        service: target.service,
        model: target.model,
        integration_id: integrationId,
        status,
        duration_ms: Math.round(performance.now() - began),
        error_code: error?.code ?? (status === CLIENT_CLOSED_STATUS ? 'client_closed_request' : null),
        error_source: error?.source ?? null,
      });
    try {
      const result = await run();
      note(200);
      return result;
    } catch (error) {
      if (error instanceof BreakerOpenError) note(0, new AppError('provider_unavailable', { message: 'circuit breaker open' }));
      else if (isAbort(error)) note(CLIENT_CLOSED_STATUS);
      else {
        const appError = toAppError(error);
        note(appError.status, appError);
      }
      throw error;
    }
  }

  const call: GatewayCall = {
    principal,
    requestId,
    started,
    get target() {
      return target;
    },
    get integrationId() {
      return integrationId;
    },
    async credential(service = target.service) {
      if (service === 'local') {
        if (!deps.local) throw new AppError('local_unavailable');
        // A route's local fallback: the configured local model, named in the answer and its usage.
        if (current.localFallback && target.model === '') target = { service: 'local', model: await deps.local.fallbackModel() };
        await limits?.admit();
        const local = await deps.local.credential(target.model);
        integrationId = null;
        setResponseHeader(c, 'x-switchboard-integration', undefined);
        setResponseHeader(c, 'x-switchboard-fallback', 'local');
        // Operator-configured (loopback allowed): the trusted pool, like the official base URLs.
        return { integrationId: null, service, baseUrl: local.baseUrl, apiKey: local.apiKey, guarded: false, rateLimit: null };
      }
      const credential = current.integration && service === current.service
        ? await resolvePinnedCredential(deps.integrations, current.integration, service)
        : await resolveCallerCredential(deps.integrations, principal, service);
      integrationId = credential.integrationId;
      if (deps.resilience) {
        const gate = deps.resilience.breakers.acquire(integrationBreakerKey(credential.integrationId));
        if (!gate.allowed) throw new BreakerOpenError(gate.retryAfterMs);
      }
      await limits?.admit({ id: credential.integrationId, rateLimit: credential.rateLimit });
      deps.activity.integrationUsed(credential.integrationId);
      const reserving = `${credential.integrationId} ${service}/${target.model}`;
      if (deps.budgets && !metered && reservedFor !== reserving) {
        // A fallback to another integration or model moves the reservation: its budgets and price are the ones at stake now.
        if (reservation) void reservation.then((held) => deps.budgets?.settle(held, 0), () => undefined);
        reservedFor = reserving;
        reservation = deps.budgets.reserve(principal, credential.integrationId, () => worstCaseMicros(deps.catalog, service, target.model, options.worstCase?.()));
        await reservation;
      }
      setResponseHeader(c, 'x-switchboard-integration', credential.integrationId);
      setResponseHeader(c, 'x-switchboard-fallback', candidateIndex > 0 ? `${target.service}/${target.model}` : undefined);
      const baseUrl = credential.baseUrl ?? deps.providerBaseUrls[service];
      if (!baseUrl) throw new AppError('invalid_request', { message: `The ${service} integration has no base_url.` });
      return { ...credential, baseUrl, guarded: credential.baseUrl !== null };
    },
    callContext(credential, callOptions = {}) {
      return {
        model: target.model,
        apiKey: credential.apiKey,
        baseUrl: credential.baseUrl,
        requestId,
        createdAt: Math.floor(Date.now() / 1000),
        includeUsage: callOptions.includeUsage === true,
      };
    },
    send(request, credential, sendOptions) {
      const abort = attemptAbort(sendOptions?.signal);
      const sent = (() => {
        if (!deps.resilience) return deps.upstream.send(request, { signal: abort, guarded: credential.guarded });
        endpoint = breakerKey(target.service, credential.baseUrl);
        const gate = deps.resilience.breakers.acquire(endpoint);
        if (!gate.allowed) throw new BreakerOpenError(gate.retryAfterMs);
        return sendWithinDeadline(deps.upstream, request, abort, credential.guarded, deps.resilience.options.deadlineMs - (performance.now() - started));
      });
      if (!telemetry) return sent();
      telemetry.attempt(target, credential, candidateIndex > 0 || credential.integrationId === null);
      try {
        return sent().then(
          (response) => {
            if (response.status >= 400) telemetry.attemptFailed({ status: response.status });
            return response;
          },
          (error: unknown) => {
            telemetry.attemptFailed({ code: isAppError(error) ? error.code : isAbort(error) ? 'client_closed_request' : undefined });
            throw error;
          },
        );
      } catch (error) {
        telemetry.attemptFailed({ code: isAppError(error) ? error.code : undefined });
        throw error;
      }
    },
    meter(outcome) {
      if (metered) return;
      metered = true;
      // An interrupted stream whose provider never reported the prompt: bill the request's estimate.
      if (outcome.estimated && outcome.usage && outcome.usage.inputTokens === undefined) outcome = { ...outcome, usage: { ...outcome.usage, inputTokens: promptTokens() } };
      limits?.settle(outcome.usage);
      const record = buildUsageRecord(deps.catalog, {
          requestId,
          principal,
          integrationId,
          target,
          operation: options.operation,
          stream: options.stream === true,
          latencyMs: Math.round(performance.now() - started),
          outcome: candidateIndex > 0 ? { ...outcome, fallback: true } : outcome,
          requestedModel: options.model,
          attempts: attemptsView(attempts, outcome.status),
      });
      deps.recorder.record(record);
      telemetry?.finish(record, outcome.finishReason);
      if (deps.resilience && record.status === 200 && record.outputTokens) {
        // Generation speed: a stream's from its first token to its end; a JSON answer's whole time
        // (the provider generates it all before its headers).
        const generationMs = record.stream && record.ttftMs != null ? record.latencyMs - record.ttftMs : record.latencyMs;
        deps.resilience.stats.throughput(`${target.service}/${target.model}`, record.outputTokens, generationMs);
      }
      // Settle to the actual cost; a failed call (no usage) costs 0 and releases the reservation.
      if (reservation) void reservation.then((held) => deps.budgets?.settle(held, record.costMicros ?? null), () => undefined);
    },
    attempt(attempt) {
      if (!deps.resilience) return tracked(attempt);
      return runChain(deps.resilience, {
        count: chain.length,
        select(index) {
          candidateIndex = index;
          integrationId = null;
          current = chain[index]!;
          target = current;
          endpoint = undefined;
        },
        run: () => {
          endpoint = undefined;
          return tracked(attempt);
        },
        endpoint: () => endpoint,
        integration: () => integrationId,
        model: () => `${target.service}/${target.model}`,
        elapsedMs: () => performance.now() - started,
      });
    },
    async handOffBudgets() {
      const held = reservation ? await reservation.catch(() => undefined) : undefined;
      return held && deps.budgets ? deps.budgets.handOff(held) : null;
    },
    servedBy(credential) {
      if (credential.integrationId === null) return { 'x-switchboard-fallback': 'local' };
      return {
        'x-switchboard-integration': credential.integrationId,
        ...(candidateIndex > 0 ? { 'x-switchboard-fallback': `${target.service}/${target.model}` } : {}),
      };
    },
    fail(error) {
      const appError = isAbort(error) ? undefined : toAppError(error);
      if (appError && integrationId && (appError.code === 'provider_key_rejected' || appError.code === 'provider_permission_denied')) {
        deps.keyHealth?.providerRejected(integrationId, appError.status);
      }
      call.meter(appError ? { status: appError.status, error: appError } : { status: CLIENT_CLOSED_STATUS, errorCode: 'client_closed_request' });
      return appError ?? error;
    },
  };

  if (allowed && !isModelAllowed(allowed, `${target.service}/${target.model}`) && !isModelAllowed(allowed, options.model)) {
    throw call.fail(new AppError('model_not_allowed', { param: 'model', message: `This platform key may not use "${options.model}".` }));
  }
  return call;
}

/**
 * The request's total deadline (SWITCHBOARD_REQUEST_DEADLINE_MS) bounds the wait for an answer's
 * headers, retries included: an attempt still waiting when it passes is cancelled as a
 * provider_timeout. Once the answer started, the stream is bounded by the idle timeout only.
 */
function sendWithinDeadline(upstream: GatewayDeps['upstream'], request: UpstreamRequest, abort: UpstreamAbort, guarded: boolean, remainingMs: number): Promise<UpstreamResponse> {
  const timeout = () => new AppError('provider_timeout', { message: 'The provider did not answer within the request deadline.' });
  if (remainingMs <= 0) return Promise.reject(timeout());
  let expired = false;
  const timer = setTimeout(() => {
    if (abort.aborted) return;
    expired = true;
    abort.abort();
  }, remainingMs);
  return upstream.send(request, { signal: abort, guarded }).then(
    (response) => {
      clearTimeout(timer);
      return response;
    },
    (error: unknown) => {
      clearTimeout(timer);
      throw expired ? timeout() : error;
    },
  );
}

/**
 * One abort per upstream attempt, fired when the client's connection closes (a disconnect cancels
 * the provider call, its stream included) or when `extra` aborts; the request deadline fires it
 * too while the headers are awaited (sendWithinDeadline). The call listens for the close, and for
 * each `extra` signal, once, and aborts its latest attempt (attempts and an image task's polls run
 * one after another; a listener per poll would pile up on the task's deadline signal).
 */
function createAttemptAborts(c: Context<AppEnv>): (extra: AbortSignal | undefined) => UpstreamAbort {
  let latest: UpstreamAbort | undefined;
  let listening = false;
  let linked: Set<AbortSignal> | undefined;
  const abortLatest = () => latest?.abort();
  return (extra) => {
    const abort = new UpstreamAbort();
    latest = abort;
    const outgoing = c.env?.outgoing;
    if (outgoing && !listening) {
      listening = true;
      outgoing.once('close', () => {
        if (!outgoing.writableFinished) abortLatest();
      });
    }
    if (extra?.aborted) abort.abort();
    else if (extra && !linked?.has(extra)) {
      (linked ??= new Set()).add(extra);
      extra.addEventListener('abort', abortLatest, { once: true });
    }
    return abort;
  };
}

/** `openCall`, after turning a route name (a `model` without "/") into its fallback chain. */
export async function openRoutedCall(
  c: Context<AppEnv>,
  deps: GatewayDeps,
  options: OpenCallOptions,
): Promise<GatewayCall> {
  const routed = deps.routes ? await deps.routes.resolve(c.get('principal'), options.model) : undefined;
  return openCall(c, deps, routed ? { ...options, candidates: routed.candidates, fallbackLocal: routed.fallbackLocal } : options);
}

export interface UsageRecordInput {
  requestId: string;
  principal: Pick<Principal, 'userId' | 'teamId' | 'keyId'>;
  integrationId: string | null;
  target: ModelTarget;
  operation: Operation;
  stream: boolean;
  latencyMs: number;
  outcome: Outcome;
  /** The `model` the client asked for (a model or a route name). */
  requestedModel?: string;
  attempts?: UsageAttempt[];
}

/**
 * The attempts as stored: `next` says what followed each (a retry of the same candidate, or a fall
 * over to the next); a successful last attempt carries the status the client got. At most
 * MAX_RECORDED_ATTEMPTS: the first ones and the last.
 */
export function attemptsView(attempts: (Omit<UsageAttempt, 'next'> & { candidate: number })[], finalStatus: number): UsageAttempt[] {
  // Spelled out: object rest and spread here were ~1 % of a proxied request's CPU profile.
  const view = attempts.map((attempt, index): UsageAttempt => {
    const following = attempts[index + 1];
    return {
      service: attempt.service,
      model: attempt.model,
      integration_id: attempt.integration_id,
      status: attempt.status,
      duration_ms: attempt.duration_ms,
      error_code: attempt.error_code,
      error_source: attempt.error_source,
      next: following === undefined ? null : following.candidate === attempt.candidate ? 'retry' : 'fallback',
    };
  });
  const last = view.at(-1);
  if (last && last.status === 200 && finalStatus !== 200) view[view.length - 1] = { ...last, status: finalStatus };
  return view.length <= MAX_RECORDED_ATTEMPTS ? view : [...view.slice(0, MAX_RECORDED_ATTEMPTS - 1), view.at(-1)!];
}

/**
 * One usage record, priced from the catalog. Exported so that work finished outside a request
 * (video jobs, metered by the job runner when they complete) is recorded exactly like a call.
 */
export function buildUsageRecord(catalog: Pick<PriceCatalog, 'costOf'>, input: UsageRecordInput): NewUsageRecord {
  const { outcome, principal, target } = input;
  const usage = outcome.usage ?? {};
  // A local model costs nothing, whether or not it reported token counts.
  const cost = target.service === 'local' ? { costMicros: 0, priced: true, catalogVersion: undefined } : catalog.costOf(target.service, target.model, usage);
  return {
    id: newId(),
    requestId: input.requestId,
    userId: principal.userId,
    teamId: principal.teamId ?? null,
    keyId: principal.keyId ?? null,
    integrationId: input.integrationId,
    service: target.service,
    model: target.model,
    operation: input.operation,
    stream: input.stream,
    inputTokens: usage.inputTokens ?? null,
    outputTokens: usage.outputTokens ?? null,
    cachedInputTokens: usage.cachedInputTokens ?? null,
    imageCount: usage.images ?? null,
    videoSeconds: usage.videoSeconds ?? null,
    costMicros: cost.costMicros,
    priced: cost.priced,
    catalogVersion: cost.catalogVersion ?? null,
    estimated: outcome.estimated === true,
    status: outcome.status,
    errorCode: outcome.error?.code ?? outcome.errorCode ?? null,
    errorSource: outcome.error?.source ?? null,
    fallback: outcome.fallback === true || target.service === 'local',
    latencyMs: input.latencyMs,
    ttftMs: outcome.ttftMs ?? null,
    requestedModel: input.requestedModel ?? null,
    attempts: input.attempts ?? null,
  };
}

/** A route target pinned to one integration of the route's owner (checked when the route was saved). */
async function resolvePinnedCredential(
  integrations: GatewayDeps['integrations'],
  pinned: NonNullable<CallTarget['integration']>,
  service: ServiceId,
): Promise<ResolvedCredential> {
  const credential = await integrations.resolveCredential(pinned.owner, service, pinned.id);
  if (credential) return credential;
  const disabled = await integrations.findDisabled(pinned.owner, service, pinned.id);
  if (disabled) throw disabledError(disabled, pinned.owner, `The route's ${service} integration`);
  throw new AppError('integration_missing', { message: `The route's ${service} integration ${pinned.id} no longer exists. Update the route with PUT /api/routes/{name}.` });
}

/** A call that only a disabled integration could have served: name it, its reason and the way back. */
function disabledError(disabled: DisabledIntegration, owner: { kind: 'user' | 'team'; id: string }, whose: string): AppError {
  const path = owner.kind === 'user' ? `/api/integrations/${disabled.id}/enable` : `/api/teams/${owner.id}/integrations/${disabled.id}/enable`;
  return new AppError('integration_disabled', {
    message: `${whose} "${disabled.name}" (${disabled.id}) is disabled: ${disabled.reason} Re-enable it with POST ${path}.`,
  });
}

/**
 * The key that serves a caller: their own integration for the service, else (acting for a team)
 * the team's. Disabled integrations are skipped; when one of them is all there is, the error says
 * so. Never another tenant's, and never a different one because a provider rejected this one: a
 * 401/403 from the provider is the caller's to fix, so it is returned as is.
 */
export async function resolveCallerCredential(
  integrations: GatewayDeps['integrations'],
  principal: Principal,
  service: ServiceId,
): Promise<ResolvedCredential> {
  const mine = { kind: 'user', id: principal.userId } as const;
  const own = await integrations.resolveCredential(mine, service);
  if (own) return own;
  const team = principal.teamId ? ({ kind: 'team', id: principal.teamId } as const) : undefined;
  const teams = team ? await integrations.resolveCredential(team, service) : undefined;
  if (teams) return teams;
  const ownDisabled = await integrations.findDisabled(mine, service);
  if (ownDisabled) throw disabledError(ownDisabled, mine, `Your ${service} integration`);
  const teamDisabled = team ? await integrations.findDisabled(team, service) : undefined;
  if (team && teamDisabled) throw disabledError(teamDisabled, team, `This team's ${service} integration`);
  if (principal.teamId) {
    throw new AppError('integration_missing', {
      message: `Neither you nor this team has a ${service} integration. Store a ${service} API key with POST /api/integrations or POST /api/teams/{teamId}/integrations first.`,
    });
  }
  throw new AppError('integration_missing', {
    message: `You have no ${service} integration. Store your ${service} API key with POST /api/integrations first.`,
  });
}

/**
 * Aborts when the client's connection closes, so a disconnect cancels the provider call. Built on
 * the Node response's `close` event: `c.req.raw.signal` would construct a full web Request per call
 * (measured ~6% of a proxied request's CPU). Absent under `app.request()`, which has no socket.
 */
export function clientGoneSignal(c: Context<AppEnv>): AbortSignal | undefined {
  const outgoing = c.env?.outgoing;
  if (!outgoing) return undefined;
  const controller = new AbortController();
  outgoing.once('close', () => {
    if (!outgoing.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** The upstream's error response, body capped (a truncated body still maps by status). */
export async function readErrorResponse(response: UpstreamResponse): Promise<UpstreamErrorResponse> {
  let body = '';
  try {
    for await (const chunk of response.body) {
      body += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
      if (body.length > MAX_ERROR_BODY_BYTES) {
        response.body.destroy();
        break;
      }
    }
  } catch {
    // A truncated error body still maps by status.
  }
  return { status: response.status, headers: response.headers, body };
}

/** The upstream's JSON body; a body that is not JSON is the provider's fault. */
export async function readJson(response: UpstreamResponse): Promise<unknown> {
  return (await readJsonWithText(response)).value;
}

/**
 * `readJson` with the text it was parsed from: a handler whose adapter passes the body through
 * unchanged answers with the provider's bytes rather than a re-encoding of them.
 */
export async function readJsonWithText(response: UpstreamResponse): Promise<{ value: unknown; text: string }> {
  const notJson = (cause: unknown) => new AppError('provider_error', { message: 'The provider returned a body that is not valid JSON.', cause });
  let text: string;
  try {
    text = await response.body.text();
  } catch (error) {
    if (isAbort(error)) throw error;
    // A timeout stays a timeout; a body cut short is, like one that does not parse, not JSON.
    const classified = classifyUpstreamFailure(error);
    throw classified.code === 'provider_unreachable' ? notJson(error) : classified;
  }
  try {
    return { value: JSON.parse(text), text };
  } catch (error) {
    throw notJson(error);
  }
}
