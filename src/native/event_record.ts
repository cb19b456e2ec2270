/**
 * The event record: what the process returns about each point besides its weight (the
 * process ABI's madnis_eval_output), as the native core hands it over: one typed array per
 * column, each holding a fixed number of values per event, row-major. Defined once in
 * native/src/event_record.h; this file mirrors it, and loadAddon() refuses an addon built
 * from another version of it.
 */
import { UserError } from '../util/errors.js';

/** Raised on both sides whenever a column is added, removed or changes type, width or name. */
export const EVENT_RECORD_VERSION = 1;

/** Values per event: n the number of externals, R MADNIS_MAX_RESONANCES. */
export interface EventColumns {
  /** events in the record */
  count: number;
  /** external particles per event (n) */
  externals: number;
  /** 4n: (E, px, py, pz) per external, GeV, laboratory frame */
  momenta: Float64Array;
  /** n: flavours of this event */
  pdg: Int32Array;
  /** n: LHE SPINUP (±1, 0 for a longitudinal vector or a scalar; 9: none) */
  helicity: Int32Array;
  /** 2n: colour, anticolour per external (0: none) */
  colour: Int32Array;
  /** 2R: slots of (PDG id, bit mask of the externals it decays into); PDG 0 after the last */
  resonances: Int32Array;
  /** 2R: colour, anticolour per resonance slot */
  resonanceColour: Int32Array;
  /** 1: power of α_s in the weight, −1 unknown (then no <mgrwt> block) */
  qcdOrder: Int32Array;
  /** 1: momentum fractions of the beams (1 for lepton beams) */
  x1: Float64Array;
  x2: Float64Array;
  /** 1: factorisation and renormalisation scales, GeV */
  muF: Float64Array;
  muR: Float64Array;
  alphaS: Float64Array;
  alphaQED: Float64Array;
  /** 1: f1(x1, μ_F)·f2(x2, μ_F) of the weight, MG5's <totfact> */
  pdfFactor: Float64Array;
}

/** The columns in the order of native/src/event_record.h. */
export const EVENT_COLUMNS = [
  'momenta', 'pdg', 'helicity', 'colour', 'resonances', 'resonanceColour', 'qcdOrder',
  'x1', 'x2', 'muF', 'muR', 'alphaS', 'alphaQED', 'pdfFactor',
] as const satisfies ReadonlyArray<keyof EventColumns>;

/** What the addon exports about its event record. */
export interface NativeEventRecord {
  version: number;
  columns: string[];
  maxResonances: number;
}

/** Throws a UserError unless the addon was built with this event record. */
export function checkEventRecord(native: NativeEventRecord | undefined, addonPath: string): void {
  const built = native ? `version ${native.version} (${native.columns.join(', ')})` : 'no version (an older build)';
  if (!native || native.version !== EVENT_RECORD_VERSION || native.columns.join() !== EVENT_COLUMNS.join()) {
    throw new UserError(
      `the native core at ${addonPath} was built with event record ${built}, this madnis-ts reads version ` +
        `${EVENT_RECORD_VERSION}: run \`npm run build\` in the madnis-ts folder to rebuild it`,
    );
  }
}
