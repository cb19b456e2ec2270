/** Reads an LHE file with MG5's own parser (madgraph/various/lhe_parser.py), as MG5's tools would. */
import { spawnSync } from 'node:child_process';

export interface Mg5LheReport {
  events: number;
  /** cross section and error from the <init> block, as lhe_parser reads them */
  sigma_pb: number;
  sigma_error_pb: number;
}

const script = `
import json, sys
sys.path.insert(0, sys.argv[1])
from madgraph.various import lhe_parser
f = lhe_parser.EventFile(sys.argv[2])
n = 0
for event in f:
    event.check()                   # momentum conservation and masses (raises)
    event.check_color_structure()   # every colour tag raised once, no quark with an anticolour (raises)
    n += 1
sigma, error = f.get_banner().get_cross(witherror=True)
print(json.dumps({"events": n, "sigma_pb": sigma, "sigma_error_pb": error}))
`;

/** Every event passes MG5's Event.check() and check_color_structure(); throws with MG5's message otherwise. */
export function readWithMg5(mg5Home: string, lheFile: string): Mg5LheReport {
  const run = spawnSync('python3', ['-c', script, mg5Home, lheFile], { encoding: 'utf8', timeout: 600_000 });
  if (run.status !== 0) throw new Error(`MG5's lhe_parser rejected ${lheFile}:\n${run.stderr.slice(-3000)}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as Mg5LheReport;
}
