/**
 * Les Houches Event file records (LHEF, arXiv:hep-ph/0609017), named after the Fortran
 * HEPRUP/HEPEUP common-block fields they carry (given in the comments).
 */

export interface LheBeam {
  pdg: number; // IDBMUP
  energy: number; // EBMUP [GeV]
  pdfGroup: number; // PDFGUP
  pdfSet: number; // PDFSUP
}

export interface LheProcess {
  xsec: number; // XSECUP [pb]
  xerr: number; // XERRUP [pb]
  xmax: number; // XMAXUP
  id: number; // LPRUP
}

export interface LheInit {
  beams: [LheBeam, LheBeam];
  weighting: number; // IDWTUP
  processes: LheProcess[];
  generator?: { name: string; version: string };
}

export interface LheParticle {
  pdg: number; // IDUP
  status: number; // ISTUP: -1 incoming, 1 outgoing, 2 intermediate
  mothers: [number, number]; // MOTHUP, 1-based positions in the event, 0 for none
  colour: [number, number]; // ICOLUP
  px: number;
  py: number;
  pz: number;
  e: number;
  m: number;
  lifetime: number; // VTIMUP [mm]
  spin: number; // SPINUP, 9 for unknown / summed
}

export interface LheEvent {
  processId: number; // IDPRUP
  weight: number; // XWGTUP
  scale: number; // SCALUP [GeV]
  alphaQED: number; // AQEDUP
  alphaS: number; // AQCDUP
  particles: LheParticle[];
  /** optional text after the particle lines, inside <event> (MG5's <mgrwt> block), '\n'-terminated */
  trailer?: string;
  /**
   * LHE 3.0 <rwgt> weights, as factors of XWGTUP: <wgt id=ids[v]> = XWGTUP·factors[v]
   * (declared in the header's <initrwgt>)
   */
  reweights?: { ids: readonly string[]; factors: ArrayLike<number> };
}
