import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { findMg5, MG5_HOW_TO } from '../mg5/locate.js';
import { UserError } from '../util/errors.js';

/** MadGraph's default PDF set (pdlabel nn23lo1), which the built-in hadron processes use. */
export const DEFAULT_PDF_GRID = 'NNPDF23_lo_as_0130_qed_mem0.grid';

/** Where an MG5 installation keeps its PDF grids (v3.x). */
const MG5_PDF_DIRS = [join('Template', 'LO', 'lib', 'Pdfdata'), join('Template', 'NLO', 'lib', 'Pdfdata')];

/**
 * The PDF grid for a built-in process: `--pdf PATH` wins, then the user's MG5
 * installation. No silent fallback: without either it is an error saying what to do.
 */
export function resolvePdfGrid(pdfOption: string | undefined, mg5Option?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (pdfOption) {
    const path = resolve(pdfOption);
    if (!existsSync(path)) throw new UserError(`--pdf ${pdfOption}: no such file`);
    return path;
  }
  const mg5 = findMg5(mg5Option, env);
  if (mg5) {
    for (const dir of MG5_PDF_DIRS) {
      const path = join(mg5.dir, dir, DEFAULT_PDF_GRID);
      if (existsSync(path)) return path;
    }
    throw new UserError(
      `no ${DEFAULT_PDF_GRID} in the MadGraph5 installation ${mg5.dir} (looked in ${MG5_PDF_DIRS.join(', ')}): pass --pdf PATH`,
    );
  }
  throw new UserError(
    `this process needs the PDF grid ${DEFAULT_PDF_GRID}: pass --pdf PATH, or point madnis-ts to your MadGraph5 installation, which ships it (${MG5_HOW_TO})`,
  );
}
