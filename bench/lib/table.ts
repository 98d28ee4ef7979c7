/** The markdown the bench prints and writes to bench/results/<name>.md. */
import type { MachineInfo } from './machine.js';
import type { CellResult } from './measure.js';
import type { TtftResult } from './ttft.js';
import { findCell, type Verdict } from './verdicts.js';

export interface ReportHeader {
  machine: MachineInfo;
  /** One line on how the run was set up (cores, windows, mock). */
  setup: string[];
}

const ms = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(1));
const integer = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–');
const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function resultsTable(cells: CellResult[]): string[] {
  const lines = [
    row(['target', 'body', 'conc.', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'TTFT p50 ms', 'CPU µs/req', 'peak RSS MB', 'errors']),
    row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---']),
  ];
  for (const cell of cells) {
    const failed = cell.errors + cell.non2xx;
    lines.push(
      row([
        cell.label,
        cell.kind,
        String(cell.connections),
        integer(cell.requestsPerSecond),
        ms(cell.latencyMs.p50),
        ms(cell.latencyMs.p90),
        ms(cell.latencyMs.p99),
        cell.ttftMs ? `${cell.ttftMs.p50.toFixed(2)}` : '',
        integer(cell.cpuMicrosPerRequest),
        ms(cell.peakRssMb),
        failed === 0 ? '0' : `⚠ ${cell.non2xx} non-2xx, ${cell.errors} errors`,
      ]),
    );
  }
  return lines;
}

function ratioTable(cells: CellResult[], concurrencies: number[]): string[] {
  const hasPortkey = cells.some((cell) => cell.target === 'portkey');
  const lines = [
    row(['body', 'conc.', 'Switchboard/bare req/s', 'Switchboard/bare CPU', 'Switchboard/bare p99', 'Switchboard/Portkey req/s']),
    row(['---', '---:', '---:', '---:', '---:', '---:']),
  ];
  for (const kind of ['json', 'stream'] as const) {
    for (const connections of concurrencies) {
      const sb = findCell(cells, 'switchboard', kind, connections);
      const bare = findCell(cells, 'bare', kind, connections);
      const portkey = findCell(cells, 'portkey', kind, connections);
      if (!sb) continue;
      lines.push(
        row([
          kind,
          String(connections),
          bare ? ratio(sb.requestsPerSecond / bare.requestsPerSecond) : '–',
          bare ? ratio(sb.cpuMicrosPerRequest / bare.cpuMicrosPerRequest) : '–',
          bare ? ratio(sb.latencyMs.p99 / bare.latencyMs.p99) : '–',
          portkey ? ratio(sb.requestsPerSecond / portkey.requestsPerSecond) : hasPortkey ? '–' : 'not run',
        ]),
      );
    }
  }
  return lines;
}

export function formatReport(options: {
  header: ReportHeader;
  cells: CellResult[];
  concurrencies: number[];
  directTtft: TtftResult | undefined;
  verdicts: Verdict[];
  notes: string[];
}): string {
  const { machine } = options.header;
  const lines = [
    `## Switchboard benchmark — ${machine.date.slice(0, 10)}`,
    '',
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.kernel}; Node ${machine.node}` +
      `${machine.commit ? `; commit ${machine.commit}` : ''}; other load at start ${machine.otherBusyCoresAtStart.toFixed(2)} cores.`,
    ...options.header.setup,
    '',
    ...resultsTable(options.cells),
    '',
    ...ratioTable(options.cells, options.concurrencies),
    '',
  ];
  if (options.directTtft) {
    lines.push(
      `Mock upstream called directly (no gateway): TTFT p50 ${options.directTtft.ms.p50.toFixed(2)} ms, p99 ${options.directTtft.ms.p99.toFixed(2)} ms.`,
      '',
    );
  }
  lines.push(row(['issue 3 target', 'result', 'measured']), row(['---', '---', '---']));
  for (const verdict of options.verdicts) lines.push(row([verdict.target, verdict.status === 'FAIL' ? '**FAIL**' : verdict.status, verdict.detail]));
  if (options.notes.length > 0) lines.push('', ...options.notes.map((note) => `- ${note}`));
  return `${lines.join('\n')}\n`;
}
