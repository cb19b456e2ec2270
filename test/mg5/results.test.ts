/**
 * Readers of MadEvent's results: samples written here in the formats dsample.f writes
 * (the Fortran formats are quoted beside each sample), never copied MG5 output.
 */
import { describe, expect, it } from 'vitest';

import { parseBanner, parseJobLog, parseResultsDat } from '../../src/mg5/results.js';

// write(66,'(3e12.5,2i9,i5,i9,e10.3,e12.5,3e13.5,i9)') tmean, tsigma, 0.0, kevent, nw, cur_it-1,
//   nun, nun/tmean, twgt, trmean, maxwgt, th_maxwgt, th_nunwgt
// write(66,'(i4,5e15.5)') i, xmean(i), xsigma(i), xeff(i), xwmax(i), xrmean(i)
const fortranE = (x: number, width: number, digits: number): string => {
  if (x === 0) return `0.${'0'.repeat(digits)}E+00`.padStart(width);
  const exponent = Math.floor(Math.log10(Math.abs(x))) + 1;
  const mantissa = (Math.abs(x) / 10 ** exponent).toFixed(digits);
  const e = `${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return `${x < 0 ? '-' : ''}0.${mantissa.slice(2)}E${e}`.padStart(width);
};
const i = (n: number, width: number) => String(n).padStart(width);

const job = [
  fortranE(465.36, 12, 5) + fortranE(1.1808, 12, 5) + fortranE(0, 12, 5) + i(1565258, 9) + i(0, 9) + i(3, 5) + i(66156, 9) +
    fortranE(142.14, 10, 3) + fortranE(0, 12, 5) + fortranE(465.36, 13, 5) + fortranE(0, 13, 5) + fortranE(0, 13, 5) + i(0, 9),
  i(1, 4) + fortranE(474.63, 15, 5) + fortranE(65.216, 15, 5) + fortranE(9.2409, 15, 5) + fortranE(179150, 15, 5) + fortranE(474.63, 15, 5),
  i(2, 4) + fortranE(467.66, 15, 5) + fortranE(21.066, 15, 5) + fortranE(4.2844, 15, 5) + fortranE(42495, 15, 5) + fortranE(467.66, 15, 5),
  '<lo_statistics>',
  '<cumulated_time> 40.255186 </cumulated_time>',
  '</lo_statistics>',
].join('\n');

describe('results.dat', () => {
  it('reads the summary line, the iteration lines and the cumulated time', () => {
    const r = parseResultsDat(job, 'G1/results.dat');
    expect(r.abs_sigma_pb).toBeCloseTo(465.36, 10);
    expect(r.error_uncorrelated_pb).toBeCloseTo(1.1808, 10);
    expect(r.points).toBe(1565258);
    expect(r.iterations).toBe(3);
    expect(r.unweighted_events).toBe(66156);
    expect(r.sigma_pb).toBeCloseTo(465.36, 10);
    expect(r.max_weight).toBe(0);
    expect(r.th_unweighted_events).toBe(0);
    expect(r.iteration_lines).toHaveLength(2);
    expect(r.iteration_lines[1]).toEqual({ iteration: 2, sigma_pb: 467.66, error_pb: 21.066, eff: 4.2844, max_weight: 42495, abs_sigma_pb: 467.66 });
    expect(r.cumulated_time_s).toBeCloseTo(40.255186, 10);
  });

  it("reads Fortran's exponent without an E (0.12345-100)", () => {
    const text = '0.10000E+01 0.12345-100 0.00000E+00 10 0 1 0 0.0 0.0 0.10000E+01\n';
    expect(parseResultsDat(text, 'r.dat').error_uncorrelated_pb).toBeCloseTo(0.12345e-100, 110);
  });

  it.each([
    ['', 'r.dat:1: empty results file'],
    ['0.1E+01 0.1E+00 0.0 100 0\n', 'r.dat:1: expected at least 10 fields'],
    ['0.1E+01 0.1E+00 0.0 1O0 0 1 0 0.0 0.0 0.1E+01\n', "r.dat:1: points is not a number: '1O0'"],
    ['0.1E+01 0.1E+00 0.0 100.5 0 1 0 0.0 0.0 0.1E+01\n', "r.dat:1: points must be a count, found '100.5'"],
    ['0.1E+01 0.1E+00 0.0 100 0 1 0 0.0 0.0 0.1E+01\n   1 0.1E+01 0.1E+00\n', 'r.dat:2: expected an iteration line'],
    ['0.1E+01 0.1E+00 0.0 100 0 1 0 0.0 0.0 0.1E+01\n   1 0.1E+01 0.1E+00 x 0.1 0.1\n', "r.dat:2: efficiency is not a number: 'x'"],
    [' end code not correct  -1 \n', 'r.dat:1: the MadEvent job failed'],
  ])('refuses malformed input %#', (text, message) => {
    expect(() => parseResultsDat(text, 'r.dat')).toThrow(message);
  });
});

// write(*,222) 'Iteration',cur_it,'Mean: ',rmean,' Abs mean: ',mean,'  Fluctuation: ',sigma,
//   wmax*(non_zero/kn), non_zero/kn*100.,'%'
// 222 format(a10,I3,3x,a6,e10.4,a11,e10.4,a16,e10.3,e12.3,3x,f5.1,a1)
const iterationLine = (it: number, mean: number, abs: number, fluct: number, w: number, pct: number) =>
  ' Iteration' + i(it, 3) + '   ' + 'Mean: ' + fortranE(mean, 10, 4) + ' Abs mean: ' + fortranE(abs, 10, 4) + '  Fluctuation: ' +
  fortranE(fluct, 10, 3) + fortranE(w, 12, 3) + '   ' + pct.toFixed(1).padStart(5) + '%';

describe('a job log', () => {
  const log = [
    ' Running Configuration Number:    1',
    iterationLine(1, 479.1, 479.1, 127, 93600, 3.7),
    ' Writing out events   2.59   8.41',
    iterationLine(2, 468.6, 468.6, 53.2, 64200, 30.3),
    iterationLine(3, 476.6, 476.6, 18.0, 13100, 36.9),
    ' Found          804  events.',
    ' Wrote          215  events.',
  ].join('\n');

  it('reads every iteration and the sampler efficiency ⟨|w|⟩/w_max = Abs mean / W × non-zero fraction', () => {
    const parsed = parseJobLog(log, 'G1/log.txt');
    expect(parsed.iterations.map((it) => it.iteration)).toEqual([1, 2, 3]);
    const last = parsed.iterations[2]!;
    expect(last.abs_mean).toBeCloseTo(476.6, 10);
    expect(last.max_weight_times_nonzero).toBeCloseTo(13100, 10);
    expect(last.nonzero_fraction).toBeCloseTo(0.369, 12);
    expect(last.sampler_efficiency).toBeCloseTo((476.6 / 13100) * 0.369, 12);
    expect(parsed.events_found).toBe(804);
    expect(parsed.events_written).toBe(215);
  });

  it('names the line of a malformed iteration line', () => {
    const broken = log.replace('Abs mean:', 'Abs:');
    expect(() => parseJobLog(broken, 'G1/log.txt')).toThrow(/^G1\/log\.txt:2: malformed iteration line/);
    expect(() => parseJobLog(iterationLine(1, 1, 1, 1, 1, 150), 'l.txt')).toThrow('l.txt:1: non-zero percentage out of range');
  });
});

describe('the run banner', () => {
  const banner = ['<LesHouchesEvents version="3.0">', '<header>', '<MGGenerationInfo>', '#  Number of Events        :       50000',
    '#  Integrated weight (pb)  :       934.5699999999999', '</MGGenerationInfo>', '</header>'].join('\n');

  it('reads the number of events and the integrated weight', () => {
    expect(parseBanner(banner, 'b.txt')).toEqual({ path: 'b.txt', events: 50000, integrated_weight_pb: 934.5699999999999 });
  });

  it('says what is missing', () => {
    expect(() => parseBanner('<header></header>', 'b.txt')).toThrow('b.txt: no <MGGenerationInfo> block');
    expect(() => parseBanner(banner.replace(/.*Number of Events.*\n/, ''), 'b.txt')).toThrow("b.txt:3: <MGGenerationInfo> lacks 'Number of Events'");
    expect(() => parseBanner(banner.replace('50000', 'many'), 'b.txt')).toThrow("b.txt:4: Number of Events is not a number: 'many'");
  });
});

describe('a baseline run folder', () => {
  it('copies the launched folder without our run folders, old events and job folders, and reads a finished run', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, existsSync, rmSync, symlinkSync, readlinkSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { copyProcessFolder, readBaseline } = await import('../../src/mg5/baseline.js');
    const work = mkdtempSync(join(tmpdir(), 'madnis-baseline-'));
    try {
      const from = join(work, 'process'), p = join(from, 'SubProcesses', 'P1_qq_ll');
      for (const dir of [join(p, 'madnis'), join(p, 'G1'), join(from, 'Events', 'madnis_prepare'), join(from, 'Cards')]) mkdirSync(dir, { recursive: true });
      writeFileSync(join(p, 'matrix1.f'), 'c fortran\n');
      // P folders link MG5's shared sources relatively; the copy's links must stay in the copy
      writeFileSync(join(from, 'SubProcesses', 'cuts.f'), 'c cuts\n');
      symlinkSync('../cuts.f', join(p, 'cuts.f'));
      writeFileSync(join(from, 'SubProcesses', 'results.dat'), job);
      writeFileSync(join(from, 'Cards', 'run_card.dat'), ' 100 = nevents\n');
      const to = join(work, 'baseline', 'process');
      copyProcessFolder(from, to);
      expect(existsSync(join(to, 'SubProcesses', 'P1_qq_ll', 'matrix1.f'))).toBe(true);
      expect(readlinkSync(join(to, 'SubProcesses', 'P1_qq_ll', 'cuts.f'))).toBe('../cuts.f');
      expect(existsSync(join(to, 'Cards', 'run_card.dat'))).toBe(true);
      for (const gone of [join('SubProcesses', 'P1_qq_ll', 'madnis'), join('SubProcesses', 'P1_qq_ll', 'G1'), join('Events', 'madnis_prepare'), join('SubProcesses', 'results.dat')])
        expect(existsSync(join(to, gone))).toBe(false);
      expect(existsSync(join(to, 'Events'))).toBe(true);
      expect(existsSync(join(p, 'madnis'))).toBe(true); // the launched folder is untouched

      // MG5 ran: the totals, a channel with its survey log, the banner and the events
      const q = join(to, 'SubProcesses', 'P1_qq_ll');
      mkdirSync(join(q, 'G1'), { recursive: true });
      mkdirSync(join(q, 'G2'), { recursive: true });
      writeFileSync(join(to, 'SubProcesses', 'results.dat'), job);
      writeFileSync(join(q, 'G1', 'results.dat'), job);
      writeFileSync(join(q, 'G1', 'baseline_log.txt'), iterationLine(3, 476.6, 476.6, 18.0, 13100, 36.9));
      writeFileSync(join(q, 'G2', 'results.dat'), job);
      writeFileSync(join(q, 'G2', 'run1_app.log'), iterationLine(2, 400, 400, 10, 4000, 50.0));
      const events = join(to, 'Events', 'baseline');
      mkdirSync(events, { recursive: true });
      writeFileSync(join(events, 'baseline_tag_1_banner.txt'), '<MGGenerationInfo>\n#  Number of Events        :       2000\n#  Integrated weight (pb)  :       465.36\n</MGGenerationInfo>\n');
      expect(() => readBaseline(to, 'baseline', { wall_time_s: 10, threads: 2, seed: 1, log: 'log' })).toThrow(/has no unweighted_events\.lhe\(\.gz\)/);
      writeFileSync(join(events, 'unweighted_events.lhe.gz'), '');
      const r = readBaseline(to, 'baseline', { wall_time_s: 10, survey_wall_s: 4, threads: 2, seed: 1, log: 'log' });
      expect(r.events).toBe(2000);
      expect(r.points).toBe(1565258);
      expect(r.sigma_error_pb).toBeCloseTo(1.1808, 10);
      expect(r.channels.map((c) => c.label)).toEqual(['P1_qq_ll/G1', 'P1_qq_ll/G2']);
      expect(r.channels[0]!.survey_efficiency).toBeCloseTo((476.6 / 13100) * 0.369, 12);
      expect(r.channels[1]!.survey_efficiency).toBeCloseTo((400 / 4000) * 0.5, 12);
      expect(r.survey_wall_s).toBe(4);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
