/**
 * The CSV export's format, written by PostgreSQL: each usage record comes back as one finished CSV
 * line (RFC 4180 quoting, formula-looking text neutralised, `created_at` in ISO 8601 with the
 * offset of the session's zone). usage-aggregates.ts reads them in keyset batches.
 *
 * Why in SQL: building the lines in JavaScript meant a row object and 25 values per record, and
 * an 800k-row export grew the heap to ~180 MB of garbage that V8 did not hand back (RSS +126 MB;
 * §6.7 allows 50). With PostgreSQL writing the lines and joining each batch into one string, the
 * heap peaks at ~52 MB and RSS grows ~35 MB. See docs/decisions/0034-csv-lines-in-sql.md.
 */
import { sql, type SQL } from 'drizzle-orm';

type ColumnKind = 'text' | 'number' | 'boolean' | 'time';

/** The export's columns (the API's snake_case names) and how each is written. */
const COLUMNS = {
  id: 'text',
  request_id: 'text',
  service: 'text',
  model: 'text',
  operation: 'text',
  stream: 'boolean',
  integration_id: 'text',
  key_id: 'text',
  team_id: 'text',
  input_tokens: 'number',
  output_tokens: 'number',
  cached_input_tokens: 'number',
  image_count: 'number',
  video_seconds: 'number',
  cost_micros: 'number',
  priced: 'boolean',
  catalog_version: 'text',
  estimated: 'boolean',
  status: 'number',
  error_code: 'text',
  error_source: 'text',
  fallback: 'boolean',
  latency_ms: 'number',
  ttft_ms: 'number',
  created_at: 'time',
} as const satisfies Record<string, ColumnKind>;

export const CSV_COLUMNS = Object.keys(COLUMNS) as (keyof typeof COLUMNS)[];
export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\r\n`;

/**
 * One cell. Text that a spreadsheet would run as a formula (= + - @ tab CR first) gets a leading
 * `'`; then a cell holding `"`, `,`, CR or LF is quoted with its quotes doubled. NULL is empty.
 * Times are written in the session's TimeZone, which each batch sets to the caller's zone.
 */
function cellSql(column: string, kind: ColumnKind): string {
  switch (kind) {
    case 'number':
    case 'boolean':
      return `coalesce(${column}::text, '')`;
    case 'time':
      return `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MSTZH:TZM')`;
    case 'text': {
      const neutral = `case when ${column} ~ E'^[-=+@\\t\\r]' then '''' || ${column} else ${column} end`;
      return `case when ${column} is null then '' when ${column} ~ E'[",\\r\\n]' then '"' || replace(${neutral}, '"', '""') || '"' else ${neutral} end`;
    }
  }
}

/** One record as its CSV line (without the CRLF). */
export const CSV_LINE_SQL: SQL = sql.raw(`concat_ws(',', ${Object.entries(COLUMNS).map(([column, kind]) => cellSql(column, kind)).join(', ')})`);
