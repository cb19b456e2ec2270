/**
 * The report's plots: Vega-Lite specifications rendered to SVG in Node (vega's headless
 * renderer), so that report.html carries them inline and needs no network or script.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

import type { DistributionComparison } from './observables.js';

export const COLOURS = { madnis: '#d62728', mg5: '#1f77b4', vegas: '#7f7f7f' };

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

const axisFont = { labelFontSize: 11, titleFontSize: 12 };

/** dσ/dx of both samples as steps with error bars, and their ratio below. */
export function distributionSpec(c: DistributionComparison, names: { a: string; b: string }): TopLevelSpec {
  const rows: Array<Record<string, number | string>> = [];
  const ratio: Array<Record<string, number>> = [];
  const edges = c.a.edges;
  for (let i = 0; i + 1 < edges.length; ++i) {
    const x0 = edges[i]!, x1 = edges[i + 1]!, mid = 0.5 * (x0 + x1);
    for (const [name, h] of [[names.a, c.a], [names.b, c.b]] as const) {
      rows.push({ sample: name, x0, x1, mid, y: h.density[i]!, lo: h.density[i]! - h.error[i]!, hi: h.density[i]! + h.error[i]! });
    }
    const a = c.a.density[i]!, b = c.b.density[i]!;
    if (a > 0 && b > 0) {
      const r = a / b;
      const e = r * Math.hypot(c.a.error[i]! / a, c.b.error[i]! / b);
      ratio.push({ x0, x1, mid, r, lo: r - e, hi: r + e });
    }
  }
  const x = { field: 'x0', type: 'quantitative' as const, title: null, scale: { domain: [edges[0]!, edges.at(-1)!], nice: false } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${c.label}   χ²/ndf = ${c.chi2.toFixed(1)}/${c.ndf}`, fontSize: 13 },
    config: { axis: axisFont, legend: { labelFontSize: 11 } },
    vconcat: [
      {
        width: 360, height: 200,
        data: { values: rows },
        layer: [
          {
            mark: { type: 'rule', strokeWidth: 1.6 },
            encoding: {
              x, x2: { field: 'x1' }, y: { field: 'y', type: 'quantitative', title: 'dσ/dx [pb/unit]' },
              color: { field: 'sample', type: 'nominal', title: null, scale: { domain: [names.a, names.b], range: [COLOURS.madnis, COLOURS.mg5] }, legend: { orient: 'top-right' } },
            },
          },
          {
            mark: { type: 'rule', strokeWidth: 1, opacity: 0.6 },
            encoding: { x: { field: 'mid', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: { field: 'sample', type: 'nominal' } },
          },
        ],
      },
      {
        width: 360, height: 80,
        data: { values: ratio },
        layer: [
          { mark: { type: 'rule', color: '#444', strokeDash: [4, 3] }, encoding: { y: { datum: 1, type: 'quantitative' } } },
          {
            mark: { type: 'rule', strokeWidth: 1.6, color: COLOURS.madnis },
            encoding: {
              x: { ...x, title: c.label },
              x2: { field: 'x1' },
              y: { field: 'r', type: 'quantitative', title: `${names.a}/${names.b}`, scale: { domain: [0.5, 1.5], clamp: true } },
            },
          },
          { mark: { type: 'rule', color: COLOURS.madnis, opacity: 0.6 }, encoding: { x: { field: 'mid', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
        ],
      },
    ],
  } as TopLevelSpec;
}

export interface CurvePoint {
  phase: string;
  step: number;
  value: number;
  lo?: number;
  hi?: number;
}

/** One quantity along the training (VEGAS iterations, then flow steps), optionally with an error band. */
export function curveSpec(title: string, yTitle: string, points: CurvePoint[], options: { log?: boolean; reference?: { value: number; label: string } } = {}): TopLevelSpec {
  const layers: unknown[] = [];
  if (points.some((p) => p.lo !== undefined)) {
    layers.push({ mark: { type: 'area', opacity: 0.25 }, encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: { field: 'phase', type: 'nominal' } } });
  }
  layers.push({
    mark: { type: 'line', point: { size: 12 } },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'VEGAS iteration / flow step' },
      y: { field: 'value', type: 'quantitative', title: yTitle, scale: options.log ? { type: 'log' } : { zero: false } },
      color: { field: 'phase', type: 'nominal', title: null, scale: { domain: ['VEGAS', 'flow'], range: [COLOURS.vegas, COLOURS.madnis] } },
    },
  });
  if (options.reference) {
    layers.push({ data: { values: [{ y: options.reference.value, label: options.reference.label }] }, mark: { type: 'rule', color: COLOURS.mg5, strokeDash: [5, 3] }, encoding: { y: { field: 'y', type: 'quantitative' } } });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, fontSize: 13 },
    config: { axis: axisFont },
    width: 360, height: 200,
    data: { values: points },
    layer: layers,
  } as TopLevelSpec;
}

export interface ChannelBar {
  channel: string;
  sampler: string;
  value: number;
}

/** Grouped bars per channel (σ share, efficiency), one colour per sampler. */
export function channelBarsSpec(title: string, yTitle: string, bars: ChannelBar[], samplers: string[]): TopLevelSpec {
  const colours = samplers.map((s) => (s.startsWith('MG5') ? COLOURS.mg5 : s.includes('prior') || s.includes('VEGAS') ? COLOURS.vegas : COLOURS.madnis));
  const channels = [...new Set(bars.map((b) => b.channel))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, fontSize: 13 },
    config: { axis: { ...axisFont, labelFontSize: channels.length > 24 ? 8 : 10 } },
    width: Math.max(360, Math.min(1100, channels.length * 22)), height: 200,
    data: { values: bars },
    mark: 'bar',
    encoding: {
      x: { field: 'channel', type: 'nominal', sort: channels, title: null, axis: { labelAngle: -60 } },
      xOffset: { field: 'sampler', type: 'nominal', sort: samplers },
      y: { field: 'value', type: 'quantitative', title: yTitle },
      color: { field: 'sampler', type: 'nominal', title: null, scale: { domain: samplers, range: colours }, legend: { orient: 'top' } },
    },
  } as TopLevelSpec;
}
