/**
 * The 9-point μ_R/μ_F scale variations of the events, as MG5's `systematics` writes them
 * with use_syst: declared once in the header's <initrwgt> ("Central scale variation",
 * combine="envelope", ids 1–9, MUR/MUF/PDF attributes), one <wgt> per event and variation in
 * <rwgt>. The ratios are computed natively per batch (native/src/scale_variation.h) from the
 * event record, with the PDF grid the weights were computed with; only what that allows is
 * written, and the plan says why when nothing is.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { loadAddon, type NativeScaleVariations, type ProcessInfo } from '../native/addon.js';
import { DEFAULT_PDF_GRID, resolvePdfGrid } from '../process/pdf.js';
import type { LoadedProcess } from '../process/load.js';

/** LHAPDF id of NNPDF23_lo_as_0130_qed, MG5's default PDF (pdlabel nn23lo1), our grid. */
const GRID_LHAID = 247000;

export interface ScaleVariationPlan {
  computed: boolean;
  /** what is varied and how, or why nothing is */
  note: string;
  options?: { pdfGrid: string; beamPdf: [number, number]; nloop: number };
  /** the PDF attribute of each <weight> (hadron beams) */
  pdfLhaid?: number;
}

const RUNNING = "α_s(ξ_R μ_R) run from each event's own α_s(μ_R) with MadEvent's 2-loop running (alfas_functions.f, nloop 2 as setrun.f/pdfwrap.f use for nn23lo1 and lepton beams; thresholds 1.42, 4.7 GeV)";

const hadron = (pdg: number) => Math.abs(pdg) >= 100;

/** What can be computed for this process, and with which grid. */
export function planScaleVariations(proc: LoadedProcess, options: { pdf?: string; mg5?: string }): ScaleVariationPlan {
  const info: ProcessInfo = proc.info;
  const beamPdf = info.beams.map((b) => (info.usesPdf && hadron(b.pdg) ? Math.sign(b.pdg) : 0)) as [number, number];
  if (!beamPdf.some((b) => b !== 0)) {
    return {
      computed: true,
      note: `lepton beams: no PDF, so μ_F changes nothing; μ_R through (α_s(ξ_R μ_R)/α_s(μ_R))^n_qcd, ${RUNNING}`,
      options: { pdfGrid: '', beamPdf, nloop: 2 },
    };
  }
  const grid = weightsGrid(proc, options);
  if (typeof grid !== 'string') return { computed: false, note: grid.why };
  return {
    computed: true,
    note: `w·Π_b f_b(x_b, ξ_F μ_F)/f_b(x_b, μ_F)·(α_s(ξ_R μ_R)/α_s(μ_R))^n_qcd per event (MG5 systematics' get_lo_wgt), densities from ${grid} (MG5's built-in interpolation), ${RUNNING}`,
    options: { pdfGrid: grid, beamPdf, nloop: 2 },
    pdfLhaid: GRID_LHAID,
  };
}

/** The grid every part's weights were computed with, or why there is none we can use. */
function weightsGrid(proc: LoadedProcess, options: { pdf?: string; mg5?: string }): string | { why: string } {
  if (proc.info.pdfLhaid !== GRID_LHAID) {
    return { why: `the weights use the PDF set with LHAPDF id ${proc.info.pdfLhaid}; madnis-ts has only ${DEFAULT_PDF_GRID} (${GRID_LHAID}): no scale variations written (MG5's systematics with LHAPDF can add them from the <mgrwt> blocks)` };
  }
  let grid: string | undefined;
  for (const part of proc.parts) {
    const p = part.parameters;
    let own: string | undefined;
    if (typeof p.pdf === 'string' && p.pdf) own = p.pdf;
    else if (typeof p.pdlabel === 'string') {
      // MG5: only its built-in NNPDF interpolation is ours; LHAPDF's differs, and so does its α_s
      if (p.pdlabel.trim().replace(/^'|'$/g, '') !== 'nn23lo1') {
        return { why: `the MG5 run card has pdlabel ${p.pdlabel}: madnis-ts reproduces only MG5's built-in nn23lo1 densities and running, so no scale variations are written (MG5's systematics can add them from the <mgrwt> blocks)` };
      }
      own = mg5Grid(p.mg5_dir, options);
    }
    if (!own) return { why: `part ${part.name} does not say which PDF grid its weights use: no scale variations written` };
    if (grid !== undefined && grid !== own) return { why: `the parts use different PDF grids (${grid}, ${own}): no scale variations written` };
    grid = own;
  }
  return grid ?? { why: 'the process has no parts' };
}

/** MG5's nn23lo1 grid: the process folder's own copy, else --pdf or the MG5 installation. */
function mg5Grid(subprocessDir: unknown, options: { pdf?: string; mg5?: string }): string | undefined {
  if (typeof subprocessDir === 'string') {
    const own = join(dirname(dirname(subprocessDir)), 'lib', 'Pdfdata', DEFAULT_PDF_GRID);
    if (existsSync(own)) return own;
  }
  try {
    return resolvePdfGrid(options.pdf, options.mg5);
  } catch {
    return undefined;
  }
}

export function openScaleVariations(plan: ScaleVariationPlan): NativeScaleVariations | undefined {
  return plan.computed && plan.options ? new (loadAddon().ScaleVariations)(plan.options) : undefined;
}

/** MG5's attribute text of a factor (Python's str of a float: 0.5, 1.0, 2.0). */
const pythonFloat = (x: number) => (Number.isInteger(x) ? x.toFixed(1) : String(x));

/** The weight ids, 1… in the variations' order, as MG5's systematics numbers them. */
export function variationIds(factors: Array<{ muR: number; muF: number }>): string[] {
  return factors.map((_, v) => String(v + 1));
}

/** The <initrwgt> text: one weight group, as systematics.py writes it. */
export function initrwgtText(factors: Array<{ muR: number; muF: number }>, pdfLhaid: number | undefined): string {
  const lines = factors.map((f, v) => {
    const info = `${f.muR !== 1 ? `MUR=${pythonFloat(f.muR)} ` : ''}${f.muF !== 1 ? `MUF=${pythonFloat(f.muF)} ` : ''}`.trim();
    const pdf = pdfLhaid !== undefined ? ` PDF="${pdfLhaid}"` : '';
    return `<weight id="${v + 1}" MUR="${pythonFloat(f.muR)}" MUF="${pythonFloat(f.muF)}"${pdf}> ${info} </weight>`;
  });
  return `<weightgroup name="Central scale variation" combine="envelope">\n${lines.join('\n')}\n</weightgroup>`;
}

/**
 * σ of each variation from the written events: σ_v = σ·Σ_k f_k r_kv / Σ_k f_k (f_k the weight
 * factors, r_kv the ratios), its error from σ's (independent: the presample) and the standard
 * error of that ratio of sums over the events.
 */
export class VariationSums {
  private sumF = 0;
  private sumFR: Float64Array;
  private sumF2R: Float64Array;
  private sumF2R2: Float64Array;
  private sumF2 = 0;

  constructor(readonly factors: Array<{ muR: number; muF: number }>) {
    const n = factors.length;
    this.sumFR = new Float64Array(n);
    this.sumF2R = new Float64Array(n);
    this.sumF2R2 = new Float64Array(n);
  }

  add(f: number, ratios: ArrayLike<number>, offset: number): void {
    this.sumF += f;
    this.sumF2 += f * f;
    for (let v = 0; v < this.factors.length; ++v) {
      const r = ratios[offset + v]!;
      this.sumFR[v]! += f * r;
      this.sumF2R[v]! += f * f * r;
      this.sumF2R2[v]! += f * f * r * r;
    }
  }

  result(sigma: number, sigmaError: number): ScaleVariationResult[] {
    return this.factors.map((f, v) => {
      const mean = this.sumF ? this.sumFR[v]! / this.sumF : 0;
      // delta method for Σf r/Σf: Σ f²(r − mean)² / (Σf)²
      const spread = this.sumF2R2[v]! - 2 * mean * this.sumF2R[v]! + mean * mean * this.sumF2;
      const meanError = this.sumF ? Math.sqrt(Math.max(0, spread)) / Math.abs(this.sumF) : 0;
      const value = sigma * mean;
      const error = Math.sqrt((sigmaError * mean) ** 2 + (sigma * meanError) ** 2);
      return { id: String(v + 1), mu_r_factor: f.muR, mu_f_factor: f.muF, sigma_pb: value, error_pb: error, ratio_to_central: mean, ratio_error: meanError };
    });
  }
}

export interface ScaleVariationResult {
  id: string;
  mu_r_factor: number;
  mu_f_factor: number;
  sigma_pb: number;
  error_pb: number;
  /** Σf r/Σf over the events: σ_v/σ */
  ratio_to_central: number;
  /** its standard error over the events (σ's own error not included) */
  ratio_error: number;
}

export interface ScaleVariationSummary {
  computed: boolean;
  note: string;
  variations: ScaleVariationResult[];
  /** min and max σ over the 9 (MG5's combine="envelope") */
  envelope: { min_pb: number; max_pb: number } | null;
  definition: string;
}

export const VARIATION_DEFINITION =
  "σ_v = σ·Σ_k f_k r_kv/Σ_k f_k over the written events (f_k the weight factors, r_kv = <wgt id=v>/XWGTUP), as MG5's systematics sums the weights; error_pb from σ's error and the standard error of that mean ratio over the events; the envelope is the smallest and largest σ_v";

export function summariseVariations(plan: ScaleVariationPlan, variations: ScaleVariationResult[]): ScaleVariationSummary {
  const values = variations.map((v) => v.sigma_pb);
  return {
    computed: plan.computed && variations.length > 0,
    note: plan.note,
    variations,
    envelope: values.length ? { min_pb: Math.min(...values), max_pb: Math.max(...values) } : null,
    definition: VARIATION_DEFINITION,
  };
}
