/**
 * The chart library, on its own: imported only through a dynamic import (TimeSeriesChart), so
 * uPlot and its stylesheet are one lazy chunk that no page loads before it draws a chart
 * (WEBAPP.md §6.7: chart library ≤ 35 kB gzip, checked by name in scripts/check-bundle.mjs).
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
}

const tickFormat = (timeZone: string, hourly: boolean) =>
  new Intl.DateTimeFormat('en-GB', hourly ? { timeZone, hour: '2-digit', minute: '2-digit' } : { timeZone, day: 'numeric', month: 'short' });

export function createChart(target: HTMLElement, options: EngineOptions, data: Array<Array<number | null>>): { resize(width: number): void; destroy(): void } {
  const ticks = tickFormat(options.timeZone, options.hourly);
  const bars = uPlot.paths.bars?.({ size: [0.7, 40] });
  const chart = new uPlot(
    {
      width: options.width,
      height: options.height,
      // The legend is ours (named series beside the figure); no cursor animation, no hover jank.
      legend: { show: false },
      cursor: { show: false },
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
