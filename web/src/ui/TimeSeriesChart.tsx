/**
 * A time-series chart as a `figure` with a visible caption and a legend naming each series, drawn
 * by uPlot loaded on first use (its own lazy chunk). "Show data table" reveals a real <table> of
 * the same numbers. No animation; redrawn on resize and when the theme changes; colours from the
 * CSS tokens. `stacked` bars are drawn cumulatively (the table keeps each series' own values).
 */
import { useEffect, useId, useRef, useState } from 'react';
import { Button } from './Button';
import { cellClass as cell } from './DataRegion';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
}

export interface TimeSeriesChartProps {
  caption: string;
  /** Bucket starts (ms since epoch) and their labels in the table ("6 Dec 2026"). */
  x: number[];
  xLabels: string[];
  series: ChartSeries[];
  format: (value: number) => string;
  kind?: 'bars' | 'lines';
  stacked?: boolean;
  timeZone: string;
  hourly: boolean;
  height?: number;
  /** Called when each new chart has drawn on its canvas (the overview's ready mark). */
  onDrawn?: () => void;
}

type Engine = typeof import('./uplot-engine');
/** The engine once loaded: a redraw then replaces the old chart in the same task, with no frame without a chart between. */
let engine: Engine | undefined;
const loadEngine = (): Promise<Engine> => import('./uplot-engine').then((loaded) => (engine = loaded));

const TOKENS = ['--sb-accent', '--sb-warn', '--sb-danger', '--sb-ok', '--sb-muted'];
const EXTRA = ['#7c4dcc', '#0f7d8c', '#b5527a'];

function palette(): { colors: string[]; axis: string; grid: string } {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string) => style.getPropertyValue(name).trim();
  return { colors: [...TOKENS.map(read), ...EXTRA], axis: read('--sb-muted'), grid: read('--sb-border') };
}

/** A counter that changes when the theme does (data-theme attribute or the system scheme). */
function useThemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((v) => v + 1);
    const observer = new MutationObserver(bump);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'class'] });
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    media.addEventListener('change', bump);
    return () => {
      observer.disconnect();
      media.removeEventListener('change', bump);
    };
  }, []);
  return version;
}

export function TimeSeriesChart({ caption, x, xLabels, series, format, kind = 'lines', stacked = false, timeZone, hourly, height = 220, onDrawn }: TimeSeriesChartProps) {
  const target = useRef<HTMLDivElement>(null);
  const [showTable, setShowTable] = useState(false);
  const theme = useThemeVersion();
  const tableId = useId();
  const drawn = useRef(onDrawn);
  drawn.current = onDrawn;
  const latest = useRef({ x, series, format });
  latest.current = { x, series, format };
  // Redraw when the numbers change, not when a parent re-renders with equal arrays.
  const dataKey = JSON.stringify([x, series.map((s) => [s.label, s.values])]);
  const { colors } = typeof document === 'undefined' ? { colors: [] as string[] } : palette();

  useEffect(() => {
    const element = target.current;
    if (!element) return;
    let disposed = false;
    let chart: { resize(width: number): void; destroy(): void } | undefined;
    let observer: ResizeObserver | undefined;
    const draw = ({ createChart }: Engine) => {
      if (disposed) return;
      const { x, series, format } = latest.current;
      const { colors: tones, axis, grid } = palette();
      // Stacked bars: each series drawn as the running total, the tallest first so each shows.
      const order = series.map((_, index) => index);
      let rows = series.map((s) => s.values);
      if (stacked) {
        const running = x.map(() => 0);
        rows = series.map((s) => s.values.map((value, i) => (running[i] = running[i]! + (value ?? 0))));
        order.reverse();
      }
      chart = createChart(
        element,
        {
          width: Math.max(200, element.clientWidth),
          height,
          axis,
          grid,
          format,
          timeZone,
          hourly,
          name: caption,
          onDrawn: () => {
            if (!disposed) drawn.current?.();
          },
          series: order.map((index) => ({ label: series[index]!.label, color: tones[index % tones.length]!, bars: kind === 'bars' })),
        },
        [x.map((ms) => ms / 1000), ...order.map((index) => rows[index]!)],
      );
      observer = new ResizeObserver(() => chart?.resize(Math.max(200, element.clientWidth)));
      observer.observe(element);
    };
    if (engine) draw(engine);
    else void loadEngine().then(draw);
    return () => {
      disposed = true;
      observer?.disconnect();
      chart?.destroy();
    };
  }, [dataKey, kind, stacked, timeZone, hourly, height, theme, caption]);

  return (
    <figure aria-labelledby={`${tableId}-caption`} className="grid min-w-0 gap-2 rounded-lg border border-border bg-surface p-4">
      <figcaption className="flex flex-wrap items-center justify-between gap-2">
        <span id={`${tableId}-caption`} className="font-semibold">
          {caption}
        </span>
        <Button variant="ghost" aria-expanded={showTable} aria-controls={tableId} onClick={() => setShowTable((v) => !v)}>
          {showTable ? 'Hide data table' : 'Show data table'}
        </Button>
      </figcaption>
      <ul aria-label={`${caption} legend`} className="flex flex-wrap gap-3 text-sm">
        {series.map((s, index) => (
          <li key={s.label} className="flex items-center gap-1">
            <span aria-hidden="true" className="inline-block h-3 w-3 rounded-sm" style={{ background: colors[index % Math.max(1, colors.length)] }} />
            {s.label}
          </li>
        ))}
      </ul>
      <div ref={target} aria-hidden="true" className="w-full overflow-hidden" style={{ height }} />
      <div id={tableId} hidden={!showTable} role="region" aria-label={`${caption} data`} tabIndex={showTable ? 0 : -1} className="relative max-h-80 overflow-auto">
        {showTable ? (
          <table className="w-full text-sm">
            <caption className="sr-only">{caption}</caption>
            <thead className="bg-raised">
              <tr>
                <th scope="col" className={cell}>
                  {hourly ? 'Hour' : 'Day'}
                </th>
                {series.map((s) => (
                  <th key={s.label} scope="col" className={cell}>
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {xLabels.map((label, i) => (
                <tr key={x[i]} className="border-t border-border">
                  <th scope="row" className={`${cell} font-normal`}>
                    {label}
                  </th>
                  {series.map((s) => (
                    <td key={s.label} className={`${cell} tabular-nums`}>
                      {s.values[i] === null || s.values[i] === undefined ? '—' : format(s.values[i]!)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>
    </figure>
  );
}
