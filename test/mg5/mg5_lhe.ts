/** Reads an LHE file with MG5's own parser (madgraph/various/lhe_parser.py), as MG5's tools would. */
import { spawnSync } from 'node:child_process';

/** What MG5's own tools see in an event file: banner blocks, cards, and the per-event record. */
export interface Mg5LheDescription {
  events: number;
  /** cross section and error from the <init> block, as lhe_parser reads them */
  sigma_pb: number;
  sigma_error_pb: number;
  /** banner blocks, as MG5's Banner names them (lower case) */
  banner: string[];
  /** the first line of <init>: beams, energies, PDF groups and sets, IDWTUP, NPRUP */
  init: string[];
  run_card: Record<string, string>;
  /** masses of the top and the W in the banner's param card */
  masses: { top: number; w: number };
  /** events with MG5's systematics block (<mgrwt>), and the powers of α_s it gives */
  with_mgrwt: number;
  n_qcd: number[];
  /** events whose <mgrwt> x and flavour of each beam's parton agree with the event's own */
  mgrwt_consistent: number;
  /** PDG ids of intermediate (status 2) particles, and how many events have each */
  intermediate: Record<string, number>;
  /** intermediate particles whose mass differs from their daughters' invariant mass (relative 1e-6), or whose colour is not what its daughters leave */
  bad_intermediate: number;
  mean_weight: number;
  /** with checks: particles whose mass holds only to the rounding of their momenta (see below) */
  mass_within_rounding: number;
}

// With checks, every event passes Event.check() (momentum conservation, masses) and
// check_color_structure(). Event.check() wants |m − m(p)|/m < 1e-6; momenta with 11
// significant digits (MG5's own format) give a massive quark of a few TeV an m(p) off by
// more (MG5's own files fail it too, ~0.6 % of t t̄ → b ℓν events): such a particle must be
// on shell to the rounding instead, |E² − p² − m²| < 1e-9 E², and is then checked with its
// momentum's mass.
const script = `
import json, math, sys
sys.path.insert(0, sys.argv[1])
from madgraph.various import lhe_parser
f = lhe_parser.EventFile(sys.argv[2])
check = sys.argv[3] == 'check'
banner = f.get_banner()
run = banner.charge_card('run_card')
keys = ['ebeam1', 'ebeam2', 'lpp1', 'lpp2', 'pdlabel', 'lhaid', 'dynamical_scale_choice', 'use_syst', 'ptj', 'drjj', 'etaj', 'nevents', 'iseed', 'bwcutoff']
param = banner.charge_card('param_card')
init = banner['init'].strip().split('\\n')[0].split()
ebeam = [float(init[2]), float(init[3])]
sigma, error = banner.get_cross(witherror=True)
out = {"banner": sorted(banner.keys()), "init": init, "run_card": {k: str(run[k]) for k in keys},
       "masses": {"top": param['mass'].get(6).value, "w": param['mass'].get(24).value},
       "events": 0, "with_mgrwt": 0, "n_qcd": [], "mgrwt_consistent": 0, "intermediate": {}, "bad_intermediate": 0,
       "mean_weight": 0.0, "sigma_pb": sigma, "sigma_error_pb": error, "mass_within_rounding": 0}
total = 0.0
for event in f:
    out["events"] += 1
    total += event.wgt
    lo = event.parse_lo_weight()
    incoming = [p for p in event if p.status == -1]
    if lo:
        out["with_mgrwt"] += 1
        if lo['n_qcd'] not in out["n_qcd"]: out["n_qcd"].append(lo['n_qcd'])
        ok = True
        for b, key in ((0, '1'), (1, '2')):
            parton = [p for p in incoming if (p.pz > 0) == (b == 0)]
            if not parton or not lo['pdf_x' + key]: continue
            x = parton[0].E / ebeam[b]
            ok = ok and abs(lo['pdf_x' + key][-1] / x - 1) < 1e-6 and lo['pdf_pdg_code' + key][-1] == parton[0].pid
        out["mgrwt_consistent"] += ok
    seen = set()
    for p in event:
        if p.status != 2: continue
        seen.add(p.pid)
        daughters = [d for d in event if d.mother1 is p]
        E = sum(d.E for d in daughters); px = sum(d.px for d in daughters); py = sum(d.py for d in daughters); pz = sum(d.pz for d in daughters)
        m = math.sqrt(max(0.0, E * E - px * px - py * py - pz * pz))
        cols = [d.color1 for d in daughters if d.color1] ; acols = [d.color2 for d in daughters if d.color2]
        left = ([c for c in cols if c not in acols], [a for a in acols if a not in cols])
        colour = ([p.color1] if p.color1 else [], [p.color2] if p.color2 else [])
        if not daughters or abs(m - p.mass) > 1e-6 * max(1.0, p.mass) or left != colour:
            out["bad_intermediate"] += 1
    for pid in seen:
        out["intermediate"][str(pid)] = out["intermediate"].get(str(pid), 0) + 1
    if not check: continue
    for p in event:
        fourmass = lhe_parser.FourMomentum(p).mass
        if p.mass and abs(abs(p.mass) - fourmass) / abs(p.mass) > 1e-6:
            if abs(p.E ** 2 - p.px ** 2 - p.py ** 2 - p.pz ** 2 - p.mass ** 2) > 1e-9 * p.E ** 2:
                raise Exception("particle %s off its mass shell beyond rounding: m = %s, momentum mass %s, E = %s" % (p.pid, p.mass, fourmass, p.E))
            out["mass_within_rounding"] += 1
            p.mass = fourmass
    event.check()                   # momentum conservation and masses (raises)
    event.check_color_structure()   # every colour tag raised once, no quark with an anticolour (raises)
out["mean_weight"] = total / max(1, out["events"])
print(json.dumps(out))
`;

function run(mg5Home: string, lheFile: string, mode: 'check' | 'describe'): Mg5LheDescription {
  const result = spawnSync('python3', ['-c', script, mg5Home, lheFile, mode], { encoding: 'utf8', timeout: 600_000 });
  if (result.status !== 0) throw new Error(`MG5's lhe_parser ${mode === 'check' ? 'rejected' : 'could not describe'} ${lheFile}:\n${result.stderr.slice(-3000)}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Mg5LheDescription;
}

/** Every event passes MG5's Event.check() and check_color_structure(); throws with MG5's message otherwise. */
export function readWithMg5(mg5Home: string, lheFile: string): Mg5LheDescription {
  return run(mg5Home, lheFile, 'check');
}

export function describeWithMg5(mg5Home: string, lheFile: string): Mg5LheDescription {
  return run(mg5Home, lheFile, 'describe');
}
