/**
 * What a MadEvent folder says about its subprocess folders (SubProcesses/P*): which
 * flavour combinations each one generates (leshouche.inc's IDUP, and the mirrors of
 * mirrorprocs.inc with the initial state swapped), and how MadEvent folds symmetric copies
 * of a diagram into one integration channel (symfact.dat). The report uses them to put
 * both event files' events into subprocess folders, and madnis-ts' channels (one per
 * configuration, copies included) into MG5's jobs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const PARTON_NAMES: Record<number, string> = {
  1: 'd', 2: 'u', 3: 's', 4: 'c', 5: 'b', 6: 't', 21: 'g', 22: 'a', 11: 'e-', 13: 'mu-', 15: 'ta-',
  12: 've', 14: 'vm', 16: 'vt', 23: 'z', 24: 'w+', 25: 'h',
};

/** MG5's particle name (u, u~, g, e+, …), or the PDG id. */
export function particleName(pdg: number): string {
  const name = PARTON_NAMES[Math.abs(pdg)];
  if (!name) return String(pdg);
  if (pdg > 0) return name;
  if (name.endsWith('-')) return `${name.slice(0, -1)}+`;
  if (name === 'w+') return 'w-';
  return ['g', 'a', 'z', 'h'].includes(name) ? name : `${name}~`;
}

/** A flavour combination as a key: the incoming pair in order, the outgoing set sorted. */
export function flavourKey(incoming: number[], outgoing: number[]): string {
  return `${incoming.join(' ')} > ${[...outgoing].sort((a, b) => a - b).join(' ')}`;
}

/** The numbers of a Fortran DATA statement `DATA (NAME(...),I=1,n)/a,b,.../`, continuation lines joined. */
function dataStatements(text: string, name: string): Array<{ indices: number[]; values: string[] }> {
  const joined = text.replace(/\n {5}\S/g, '');
  const pattern = new RegExp(`DATA\\s*\\(${name}\\(([^)]*)\\)\\s*,\\s*I\\s*=\\s*1\\s*,\\s*\\d+\\s*\\)\\s*/([^/]*)/`, 'gi');
  const out: Array<{ indices: number[]; values: string[] }> = [];
  for (const m of joined.matchAll(pattern)) {
    const indices = m[1]!.split(',').slice(1).map((x) => Number(x.trim()));
    out.push({ indices, values: m[2]!.split(',').map((v) => v.trim()) });
  }
  return out;
}

/** Flavour combination (flavourKey) → the subprocess folder that generates it. */
export function subprocessOfFlavours(processDir: string): Map<string, string> {
  const sub = join(processDir, 'SubProcesses');
  const map = new Map<string, string>();
  if (!existsSync(sub)) return map;
  for (const folder of readdirSync(sub).filter((d) => /^P\d+_/.test(d)).sort()) {
    const leshouche = join(sub, folder, 'leshouche.inc');
    if (!existsSync(leshouche)) continue;
    const mirrorsPath = join(sub, folder, 'mirrorprocs.inc');
    const mirrors = existsSync(mirrorsPath) ? dataStatements(readFileSync(mirrorsPath, 'utf8'), 'MIRRORPROCS')[0]?.values.map((v) => /T/i.test(v)) ?? [] : [];
    for (const { indices, values } of dataStatements(readFileSync(leshouche, 'utf8'), 'IDUP')) {
      const ids = values.map(Number);
      const [a, b, ...outgoing] = ids;
      map.set(flavourKey([a!, b!], outgoing), folder);
      // IDUP(I, flavour, subprocess): mirrored subprocesses also come with beams swapped
      if (mirrors[(indices[1] ?? 1) - 1]) map.set(flavourKey([b!, a!], outgoing), folder);
    }
  }
  return map;
}

/**
 * MadEvent's integration job of each configuration: `P…/G<graph>` → `P…/G<class graph>`,
 * where symfact.dat folds a symmetric copy (negative factor −g) into graph g's job.
 */
export function mg5JobOfChannel(processDir: string): Map<string, string> {
  const sub = join(processDir, 'SubProcesses');
  const map = new Map<string, string>();
  if (!existsSync(sub)) return map;
  for (const folder of readdirSync(sub).filter((d) => /^P\d+_/.test(d))) {
    const symfact = join(sub, folder, 'symfact.dat');
    if (!existsSync(symfact)) continue;
    for (const line of readFileSync(symfact, 'utf8').split('\n')) {
      const [graphText, factorText] = line.trim().split(/\s+/);
      const graph = Math.floor(Number(graphText) + 1e-9), factor = Number(factorText);
      if (!Number.isFinite(graph) || !Number.isFinite(factor) || graph <= 0) continue;
      if (factor < 0) map.set(`${folder}/G${graph}`, `${folder}/G${-factor}`);
      else if (factor > 0 && !map.has(`${folder}/G${graph}`)) map.set(`${folder}/G${graph}`, `${folder}/G${graph}`);
    }
  }
  return map;
}
