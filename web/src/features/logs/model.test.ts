import { describe, expect, it } from 'vitest';
import { apiQuery, integrationLabel, matchesFilters, modelLabel, parseStatusFilter, STATUS_PRESETS, withNames, type LiveUsageRow, type LogRow } from './model';
import { logsSearch } from './search';

const row = (overrides: Partial<LiveUsageRow> = {}): LiveUsageRow => ({
  id: '01REC',
  request_id: 'req-1',
  service: 'openai',
  model: 'gpt-4o-mini',
  requested_model: 'flaky',
  operation: 'chat',
  stream: false,
  integration_id: 'int-1',
  key_id: 'key-1',
  team_id: null,
  input_tokens: 10,
  output_tokens: 5,
  cached_input_tokens: null,
  image_count: null,
  video_seconds: null,
  cost_micros: 100,
  priced: true,
  catalog_version: null,
  estimated: false,
  status: 200,
  error_code: null,
  error_source: null,
  fallback: true,
  latency_ms: 120,
  ttft_ms: null,
  created_at: '2026-12-06T10:00:00.000Z',
  ...overrides,
});
/** A row as GET /api/usage lists it: with the names. */
const listed = (overrides: Partial<LogRow> = {}): LogRow => ({ ...row(), key_name: null, key_last4: null, integration_name: null, integration_last4: null, ...overrides });

describe('live rows match the filters the server applies', () => {
  it('by dimension, status class, fallback, request id and scope', () => {
    expect(matchesFilters(row(), {}, undefined, 'UTC')).toBe(true);
    expect(matchesFilters(row(), { model: 'gpt-4o' }, undefined, 'UTC')).toBe(false);
    expect(matchesFilters(row(), { model: 'gpt-4o-mini', key_id: 'key-1', integration_id: 'int-1', service: 'openai' }, undefined, 'UTC')).toBe(true);
    expect(matchesFilters(row(), { status: '5xx' }, undefined, 'UTC')).toBe(false);
    expect(matchesFilters(row({ status: 502, error_source: 'provider' }), { status: 'error', error_source: 'provider' }, undefined, 'UTC')).toBe(true);
    expect(matchesFilters(row({ fallback: false }), { fallback: 'true' }, undefined, 'UTC')).toBe(false);
    expect(matchesFilters(row({ status: 429 }), { status: '429' }, undefined, 'UTC')).toBe(true);
    expect(matchesFilters(row({ status: 400 }), { status: '429' }, undefined, 'UTC')).toBe(false);
    expect(matchesFilters(row(), { request_id: 'req-2' }, undefined, 'UTC')).toBe(false);
    expect(matchesFilters(row(), { request_id: '01REC' }, undefined, 'UTC')).toBe(true);
    expect(matchesFilters(row(), {}, 'team-1', 'UTC')).toBe(false);
    expect(matchesFilters(row({ team_id: 'team-1' }), {}, 'team-1', 'UTC')).toBe(true);
  });

  it('by range, with dates at midnight in the zone', () => {
    expect(matchesFilters(row(), { from: '2026-12-06', to: '2026-12-07' }, undefined, 'UTC')).toBe(true);
    expect(matchesFilters(row(), { to: '2026-12-06' }, undefined, 'UTC')).toBe(false);
    // 10:00Z is 19:00 in Tokyo: still the 6th there.
    expect(matchesFilters(row(), { from: '2026-12-06', to: '2026-12-07' }, undefined, 'Asia/Tokyo')).toBe(true);
    // 23:30 on the 5th in New York is the 6th 04:30Z.
    expect(matchesFilters(row({ created_at: '2026-12-06T04:30:00.000Z' }), { from: '2026-12-06' }, undefined, 'America/New_York')).toBe(false);
  });
});

describe('labels and query', () => {
  it('shows requested → served only when they differ, and integrations by name …last4', () => {
    expect(modelLabel(listed())).toBe('flaky → gpt-4o-mini');
    expect(modelLabel(listed({ requested_model: 'openai/gpt-4o-mini' }))).toBe('gpt-4o-mini');
    expect(modelLabel(listed({ requested_model: null }))).toBe('gpt-4o-mini');
    expect(integrationLabel(listed({ integration_name: 'Main', integration_last4: 'ab12' }))).toBe('Main …ab12');
    expect(integrationLabel(listed({ integration_id: null, service: 'local' }))).toBe('Local model');
  });

  it('fills a live row’s names from the facets (no fetch)', () => {
    const named = withNames(row(), { models: [], services: [], keys: [{ id: 'key-1', name: 'CI', key_last4: 'zz99' }], integrations: [{ id: 'int-1', name: 'Main', service: 'openai', key_last4: 'ab12' }] });
    expect(named).toMatchObject({ key_name: 'CI', key_last4: 'zz99', integration_name: 'Main', integration_last4: 'ab12' });
  });

  it('puts every filter, the team and the zone in the API query, and nothing empty', () => {
    expect(apiQuery({ model: 'gpt-4o', status: '5xx', fallback: 'true', request_id: undefined }, 'team-1', 'Europe/Berlin')).toBe('model=gpt-4o&status=5xx&fallback=true&team_id=team-1&tz=Europe%2FBerlin');
  });
});

describe('the typed "Status" filter', () => {
  it('takes what GET /api/usage takes: success, error, a class 2xx–5xx, an exact code 100–599; case and spaces forgiven', () => {
    expect(parseStatusFilter('429')).toEqual({ value: '429' });
    expect(parseStatusFilter(' 4XX ')).toEqual({ value: '4xx' });
    expect(parseStatusFilter('5xx')).toEqual({ value: '5xx' });
    expect(parseStatusFilter('Success')).toEqual({ value: 'success' });
    expect(parseStatusFilter('error')).toEqual({ value: 'error' });
    expect(parseStatusFilter('100')).toEqual({ value: '100' });
    expect(parseStatusFilter('599')).toEqual({ value: '599' });
    expect(parseStatusFilter('  ')).toEqual({ value: undefined });
  });

  it('refuses anything else with a message that says what to enter', () => {
    for (const bad of ['42', '4290', '600', '099', '1xx', '6xx', 'x', '4xx,5xx', '429;drop']) {
      const result = parseStatusFilter(bad);
      expect('error' in result, bad).toBe(true);
      if ('error' in result) expect(result.error).toMatch(/Enter a code from 100 to 599 \(such as 429\), a class \(2xx, 3xx, 4xx or 5xx\), success or error/);
    }
  });

  it('every suggestion parses to itself, and the URL schema keeps what the parser accepts', () => {
    for (const preset of STATUS_PRESETS) expect(parseStatusFilter(preset.value)).toEqual({ value: preset.value });
    for (const value of ['429', '4xx', 'success', '599', '100']) expect(logsSearch.safeParse({ status: value }).success, value).toBe(true);
    for (const value of ['1xx', '42', 'x']) expect(logsSearch.safeParse({ status: value }).success, value).toBe(false);
  });

  it('an exact code filters live rows to that code only', () => {
    expect(matchesFilters(row({ status: 429 }), { status: '429' }, undefined, 'UTC')).toBe(true);
    expect(matchesFilters(row({ status: 428 }), { status: '429' }, undefined, 'UTC')).toBe(false);
    expect(matchesFilters(row({ status: 503 }), { status: '5xx' }, undefined, 'UTC')).toBe(true);
  });
});
