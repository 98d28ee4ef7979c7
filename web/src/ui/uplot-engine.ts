/**
 * The chart library, on its own: imported only through a dynamic import (TimeSeriesChart), so
 * uPlot and its stylesheet are one lazy chunk that no page loads before it draws a chart
 * (WEBAPP.md §6.7: chart library ≤ 35 kB gzip, checked by name in scripts/check-bundle.mjs).
 * Each chart's first draw is timed as a `chart-draw` performance measure (detail: its name), from
 * just before uPlot is constructed to its `ready` hook: uPlot draws in a microtask after the
 * constructor returns. One measure per chart made; the bench reads them (§6.7 chart draw, filter change).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface EngineSeries {
  label: string;
  color: string;
  bars: boolean;
}

export interface EngineOptions {
  width: number;
  height: number;
  series: EngineSeries[];
  axis: string;
  grid: string;
  format: (value: number) => string;
  /** Hour ticks (≤ 48 h) or day ticks, shown in this zone. */
  timeZone: string;
  hourly: boolean;
  /** The `detail` of this chart's `chart-draw` measure (the chart's caption). */
  name: string;
  /** Called once the chart is drawn on its canvas. */
  onDrawn?: () => void;
}

export const CHART_DRAW_MEASURE = 'chart-draw';

/** Narrowest slot (px per point) still drawn as separate bars. */
const MIN_BAR_SLOT_PX = 4;

const tickFormat = (timeZone: string, hourly: boolean) =>
  new Intl.DateTimeFormat('en-GB', hourly ? { timeZone, hour: '2-digit', minute: '2-digit' } : { timeZone, day: 'numeric', month: 'short' });

export function createChart(target: HTMLElement, options: EngineOptions, data: Array<Array<number | null>>): { resize(width: number): void; destroy(): void } {
  const ticks = tickFormat(options.timeZone, options.hourly);
  // Bars narrower than a few pixels (e.g. 30 days by the hour: 720 slots on ~1,100 px) are drawn
  // as one stepped area per series: it looks the same (no gap would show between such bars) and
  // paints as one shape rather than hundreds of sub-pixel rectangles, which took 200–600 ms per
  // chart in a software-rendered browser (docs/decisions/0036-bench-browser-rows.md).
  const dense = (data[0]?.length ?? 0) > options.width / MIN_BAR_SLOT_PX;
  const bars = dense ? uPlot.paths.stepped?.({ align: 1 }) : uPlot.paths.bars?.({ size: [0.7, 40] });
  const start = performance.now();
  const ready = () => {
    performance.measure(CHART_DRAW_MEASURE, { start, detail: options.name });
    options.onDrawn?.();
  };
  const chart = new uPlot(
    {
      width: options.width,
      height: options.height,
      // The legend is ours (named series beside the figure); no cursor animation, no hover jank.
      legend: { show: false },
      cursor: { show: false },
      hooks: { ready: [ready] },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
      axes: [
        { stroke: options.axis, grid: { stroke: options.grid, width: 1 }, values: (_u, splits) => splits.map((s) => ticks.format(new Date(s * 1000))) },
        { stroke: options.axis, grid: { stroke: options.grid, width: 1 }, size: 70, values: (_u, splits) => splits.map((s) => options.format(s)) },
      ],
      series: [
        {},
        ...options.series.map((series) => ({
          label: series.label,
          stroke: series.color,
          width: series.bars ? 0 : 2,
          ...(series.bars ? { fill: series.color, paths: bars } : {}),
          points: { show: false },
        })),
      ],
    },
    data as uPlot.AlignedData,
    target,
  );
  return {
    resize: (width) => chart.setSize({ width, height: options.height }),
    destroy: () => chart.destroy(),
  };
}
