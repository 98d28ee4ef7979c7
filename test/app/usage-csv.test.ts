/**
 * Issue 7 (WEBAPP.md §6.3 item 2): GET /api/usage.csv, the raw rows of the same scope, range and
 * filters as the aggregates, streamed from the real server on real PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_COLUMNS } from '../../src/metering/usage-csv.js';
import { usageRecord } from '../helpers/usage-record.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});


/** A minimal RFC 4180 parser (quoted cells, doubled quotes, CRLF rows). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      index++;
    } else cell += char;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

describe('usage.csv', () => {
  it('header of API names, zone offsets, neutralised formulas, and rows and cost equal the aggregate totals', async () => {
    const user = await server.signIn();
    const other = await server.signIn();
    const rows = [
      usageRecord(user.userId, { createdAt: new Date('2026-11-01T18:31:00Z'), model: '=HYPERLINK("http://evil","x")', costMicros: 7 }),
      usageRecord(user.userId, { createdAt: new Date('2026-11-02T03:00:00Z'), model: '+1', errorCode: '@SUM(A1)', status: 502, errorSource: 'provider', costMicros: null, priced: false }),
      usageRecord(user.userId, { createdAt: new Date('2026-11-02T04:00:00Z'), model: '-2', keyId: 'key-1', ttftMs: 33 }),
      usageRecord(user.userId, { createdAt: new Date('2026-11-05T04:00:00Z') }), // outside the range
      usageRecord(other.userId, { createdAt: new Date('2026-11-02T04:00:00Z') }), // someone else's
    ];
    for (const row of rows) server.running.services.recorder.record(row);
    expect(await server.running.services.recorder.flush()).toBe(true);

    const query = 'from=2026-11-02&to=2026-11-04&tz=Asia/Kolkata';
    const response = await server.api(`/api/usage.csv?${query}`, { token: user.token });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="switchboard-usage_me_2026-11-02T0000_2026-11-04T0000.csv"');
    const [header, ...data] = parseCsv(await response.text());
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(data).toHaveLength(3);
    const cell = (row: string[], column: (typeof CSV_COLUMNS)[number]) => row[CSV_COLUMNS.indexOf(column)];
    expect(data.map((row) => cell(row, 'model'))).toEqual(["'=HYPERLINK(\"http://evil\",\"x\")", "'+1", "'-2"]);
    expect(cell(data[1]!, 'error_code')).toBe("'@SUM(A1)");
    expect(data.map((row) => cell(row, 'created_at'))).toEqual([
      '2026-11-02T00:01:00.000+05:30',
      '2026-11-02T08:30:00.000+05:30',
      '2026-11-02T09:30:00.000+05:30',
    ]);
    expect(cell(data[1]!, 'cost_micros')).toBe('');
    expect(cell(data[1]!, 'priced')).toBe('false');
    expect(cell(data[2]!, 'key_id')).toBe('key-1');
    expect(cell(data[2]!, 'ttft_ms')).toBe('33');

    const aggregate = (await (await server.api(`/api/usage?group_by=day&${query}`, { token: user.token })).json()) as {
      totals: { requests: number; cost_micros: number; errors: number };
    };
    expect(aggregate.totals.requests).toBe(data.length);
    expect(aggregate.totals.cost_micros).toBe(data.reduce((sum, row) => sum + Number(cell(row, 'cost_micros') || 0), 0));

    // Filters apply to the export as to the aggregate.
    const errorsOnly = parseCsv(await (await server.api(`/api/usage.csv?${query}&status=error`, { token: user.token })).text());
    const errorTotals = (await (await server.api(`/api/usage?group_by=day&${query}&status=error`, { token: user.token })).json()) as { totals: { requests: number } };
    expect(errorsOnly.length - 1).toBe(errorTotals.totals.requests);
    expect(errorsOnly.length - 1).toBe(1);

    // Another user's export of the same range holds only their own row.
    expect(parseCsv(await (await server.api(`/api/usage.csv?${query}`, { token: other.token })).text())).toHaveLength(2);
    const bad = await server.api('/api/usage.csv?tz=Nowhere/Land', { token: user.token });
    expect(bad.status).toBe(400);
    expect((await server.api('/api/usage.csv')).status).toBe(401);
  });

  it('a large export streams in batches: every row arrives, in several chunks, with no row cap', async () => {
    const user = await server.signIn();
    const total = 25_000;
    const start = Date.parse('2026-10-01T00:00:00Z');
    const store = server.running.services.usageStore;
    for (let offset = 0; offset < total; offset += 5_000) {
      const batch = Array.from({ length: 5_000 }, (_, index) =>
        usageRecord(user.userId, { createdAt: new Date(start + (offset + index) * 60_000), costMicros: 3, model: `m-${(offset + index) % 7}` }),
      );
      expect(await store.insertBatch(batch)).toBe(5_000);
    }
    const response = await server.api('/api/usage.csv?from=2026-09-30&to=2026-11-30', { token: user.token });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let chunks = 0;
    let lines = 0;
    let tail = '';
    let cost = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      const text = tail + decoder.decode(value, { stream: true });
      const parts = text.split('\r\n');
      tail = parts.pop() ?? '';
      for (const line of parts) {
        lines++;
        if (lines > 1) cost += Number(line.split(',')[CSV_COLUMNS.indexOf('cost_micros')]);
      }
    }
    expect(tail).toBe('');
    expect(lines).toBe(total + 1);
    expect(cost).toBe(total * 3);
    expect(chunks).toBeGreaterThan(5);
    const aggregate = (await (await server.api('/api/usage?group_by=day&from=2026-09-30&to=2026-11-30', { token: user.token })).json()) as {
      totals: { requests: number; cost_micros: number };
    };
    expect(aggregate.totals).toMatchObject({ requests: total, cost_micros: total * 3 });
  });
});
