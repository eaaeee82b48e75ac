/**
 * Charts with Apache ECharts, imported piece by piece (core, two chart types, the
 * components they use, the canvas renderer) so the bundle carries only those. Colours
 * are the Okabe–Ito palette, told apart by people with colour-vision deficiencies, and
 * ECharts' ARIA decals add patterns and a text description for screen readers. Every
 * chart is drawn beside a table of the same numbers.
 */
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, AriaComponent, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/** Okabe–Ito, ordered from "fine" to "worst" for aging buckets. */
export const AGING_COLOURS = ['#009E73', '#56B4E9', '#E69F00', '#D55E00', '#882255'];
export const SERIES_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00'];

export interface Series {
  name: string;
  values: (number | null)[];
  /** What the tooltip shows for each point (the exact string, formatted). */
  labels: string[];
  axis?: 0 | 1;
}

const charts = new WeakMap<HTMLElement, echarts.ECharts>();
const resizeObserver = new ResizeObserver((entries) => {
  for (const entry of entries) charts.get(entry.target as HTMLElement)?.resize();
});

/** Charts are drawn once their element is in the page (ECharts measures it). */
function whenConnected(el: HTMLElement, draw: () => void): void {
  if (el.isConnected) draw();
  else requestAnimationFrame(() => whenConnected(el, draw));
}

function chartIn(el: HTMLElement, description: string): echarts.ECharts {
  let chart = charts.get(el);
  if (!chart) {
    chart = echarts.init(el, undefined, { renderer: 'canvas' });
    charts.set(el, chart);
    resizeObserver.observe(el);
  }
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', description);
  return chart;
}

const tooltip = (series: Series[]) => ({
  trigger: 'axis' as const,
  // Drawn on the canvas, not as HTML: the console's Content-Security-Policy allows no inline styles.
  renderMode: 'richText' as const,
  formatter: (params: unknown) => {
    const points = (Array.isArray(params) ? params : [params]) as { axisValueLabel: string; seriesIndex: number; dataIndex: number; seriesName: string }[];
    if (points.length === 0) return '';
    const head = points[0].axisValueLabel;
    return [head, ...points.map((p) => `${p.seriesName}: ${series[p.seriesIndex]?.labels[p.dataIndex] ?? ''}`)].join('\n');
  },
});

export function stackedBars(el: HTMLElement, description: string, categories: string[], series: Series[]): void {
  whenConnected(el, () =>
    chartIn(el, description).setOption(
      {
        aria: { enabled: true, decal: { show: true } },
        color: AGING_COLOURS,
        animation: false,
        tooltip: tooltip(series),
        legend: { top: 0, type: 'scroll' },
        grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: 'value' },
        yAxis: { type: 'category', data: categories, inverse: true },
        series: series.map((s) => ({ type: 'bar', name: s.name, stack: 'aging', data: s.values, emphasis: { focus: 'series' } })),
      },
      true,
    ),
  );
}

export function trendLines(el: HTMLElement, description: string, categories: string[], series: Series[], axisNames: [string, string]): void {
  whenConnected(el, () =>
    chartIn(el, description).setOption(
      {
        aria: { enabled: true, decal: { show: true } },
        color: SERIES_COLOURS,
        animation: false,
        tooltip: tooltip(series),
        legend: { top: 0, type: 'scroll' },
        grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: categories },
        yAxis: [
          { type: 'value', name: axisNames[0], min: 0, max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
          { type: 'value', name: axisNames[1], splitLine: { show: false } },
        ],
        series: series.map((s, i) => ({
          type: s.axis === 1 ? 'bar' : 'line',
          name: s.name,
          yAxisIndex: s.axis ?? 0,
          data: s.values,
          symbol: ['circle', 'rect', 'triangle', 'diamond'][i % 4],
          symbolSize: 8,
          connectNulls: false,
          barMaxWidth: 24,
          itemStyle: s.axis === 1 ? { opacity: 0.35 } : undefined,
        })),
      },
      true,
    ),
  );
}

export function disposeCharts(root: HTMLElement): void {
  for (const el of root.querySelectorAll<HTMLElement>('.chart')) {
    charts.get(el)?.dispose();
    charts.delete(el);
    resizeObserver.unobserve(el);
  }
}
