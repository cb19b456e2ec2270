/**
 * LHE writing and reading: MG5's number layout, exact round trips (plain and gzip), the
 * atomic .partial → final rename, abort, a full disk, and backpressure on a large file.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { afterAll, describe, expect, it } from 'vitest';

import { LheFormatError, readLhe } from '../../src/lhe/reader.js';
import type { LheEvent, LheInit } from '../../src/lhe/types.js';
import { formatEvent, LheWriter } from '../../src/lhe/writer.js';
import { UserError } from '../../src/util/errors.js';

const work = mkdtempSync(join(tmpdir(), 'madnis-lhe-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const init: LheInit = {
  beams: [
    { pdg: 2212, energy: 6500, pdfGroup: 0, pdfSet: 247000 },
    { pdg: 2212, energy: 6500, pdfGroup: 0, pdfSet: 247000 },
  ],
  weighting: 3,
  processes: [
    { xsec: 935.1234567, xerr: 1.6, xmax: 935.1234567, id: 1 },
    { xsec: 12.5, xerr: 0.25, xmax: 20, id: 2 },
  ],
  generator: { name: 'madnis-ts', version: '0.1.0' },
};

const header = [
  { name: 'MGVersion', text: '3.5.0' },
  { name: 'MG5ProcCard', text: 'generate p p > e+ e-\noutput pp_ee' },
  { name: 'MGRunCard', text: '  10000 = nevents ! if ptj < 20 & ptl > 10', attributes: { note: 'a "quoted" & <odd> value' } },
];

/** Deterministic events with awkward doubles (many digits, signs, tiny and huge values). */
function sampleEvent(i: number): LheEvent {
  let state = (i + 1) * 2654435761;
  const random = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const pz = 6500 * random();
  const pt = 100 * random();
  const phi = 2 * Math.PI * random();
  return {
    processId: 1 + (i % 2),
    weight: i % 7 === 3 ? -935.1234567 : 935.1234567 * (1 + random() * 1e-3),
    scale: 91.188 * (1 + random()),
    alphaQED: 1 / 132.507,
    alphaS: 0.118 + 0.01 * random(),
    particles: [
      { pdg: 2, status: -1, mothers: [0, 0], colour: [501, 0], px: 0, py: 0, pz, e: pz, m: 0, lifetime: 0, spin: 1 },
      { pdg: -2, status: -1, mothers: [0, 0], colour: [0, 501], px: 0, py: -0, pz: -pz / 3, e: pz / 3, m: 0, lifetime: 0, spin: -1 },
      { pdg: 23, status: 2, mothers: [1, 2], colour: [0, 0], px: 0, py: 0, pz: (2 * pz) / 3, e: pz * 1.34, m: 91.1876 + random(), lifetime: 0, spin: 9 },
      { pdg: -11, status: 1, mothers: [3, 3], colour: [0, 0], px: pt * Math.cos(phi), py: pt * Math.sin(phi), pz: pz * random(), e: pz, m: 0.000511, lifetime: 1e-300, spin: 1 },
      { pdg: 11, status: 1, mothers: [3, 3], colour: [0, 0], px: -pt * Math.cos(phi), py: -pt * Math.sin(phi), pz: -1e100 * random(), e: 1e100, m: 0.000511, lifetime: 0, spin: -1 },
    ],
  };
}

describe('formatEvent', () => {
  it("uses MG5's column widths and C's %e (two-digit exponents, signed zeros)", () => {
    const text = formatEvent({
      processId: 1,
      weight: 935.123456789,
      scale: 91.188,
      alphaQED: 1 / 132.507,
      alphaS: 0.118,
      particles: [
        { pdg: -11, status: -1, mothers: [0, 0], colour: [0, 0], px: 0, py: -0, pz: 45.594, e: 45.594, m: 0, lifetime: 0, spin: 1 },
        { pdg: 21, status: 1, mothers: [1, 2], colour: [501, 0], px: -123.456789012345, py: 1e-300, pz: -9.99999999999e5, e: 1e100, m: 0.000511, lifetime: -1.5, spin: 9 },
      ],
    });
    // the expected lines are Python's `%`-formatting with the format strings of MG5's lhe_parser,
    // except XWGTUP: 11 significant digits (%+17.10e; MG5: %+13.7e), so that a file's mean
    // weight reproduces its <init> σ to 1e-11
    expect(text).toBe(
      '<event>\n' +
        ' 2      1 +9.3512345679e+02 9.11880000e+01 7.54677111e-03 1.18000000e-01\n' +
        '      -11 -1    0    0    0    0 +0.0000000000e+00 -0.0000000000e+00 +4.5594000000e+01 4.5594000000e+01 0.0000000000e+00 0.0000e+00 1.0000e+00\n' +
        '       21  1    1    2  501    0 -1.2345678901e+02 +1.0000000000e-300 -1.0000000000e+06 1.0000000000e+100 5.1100000000e-04 -1.5000e+00 9.0000e+00\n' +
        '</event>\n',
    );
  });

  it('refuses values no reader could parse back', () => {
    const event = sampleEvent(0);
    expect(() => formatEvent({ ...event, weight: Number.NaN })).toThrow(/NaN/);
    expect(() => formatEvent({ ...event, particles: [] })).toThrow(/at least one particle/);
    expect(() => formatEvent({ ...event, processId: 1.5 })).toThrow(/integer/);
  });
});

describe('LheWriter → readLhe round trip', () => {
  for (const name of ['events.lhe', 'events.lhe.gz']) {
    it(`gives back every field of ${name} exactly`, async () => {
      const path = join(work, 'roundtrip', name);
      const writer = await LheWriter.open(path, header, init);
      expect(writer.partialPath).toBe(`${path}.partial`);
      const events = Array.from({ length: 50 }, (_, i) => sampleEvent(i));
      for (const event of events) await writer.write(event);
      expect(existsSync(path)).toBe(false);
      await writer.close();
      expect(writer.eventsWritten).toBe(50);
      expect(existsSync(path)).toBe(true);
      expect(existsSync(`${path}.partial`)).toBe(false);

      const raw = readFileSync(path);
      const text = name.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      expect(text.startsWith('<LesHouchesEvents version="3.0">\n<header>\n<MGVersion>\n3.5.0\n</MGVersion>\n')).toBe(true);
      expect(text).toContain("<generator name='madnis-ts' version='0.1.0'></generator>\n</init>\n");
      expect(text.endsWith('</event>\n</LesHouchesEvents>\n')).toBe(true);

      const read: LheEvent[] = [];
      const result = await readLhe(path, (event, index) => {
        expect(index).toBe(read.length);
        read.push(event);
      });
      expect(result.version).toBe('3.0');
      expect(result.events).toBe(50);
      expect(result.init).toEqual(init);
      expect(result.header).toContain('<MG5ProcCard>\ngenerate p p > e+ e-\noutput pp_ee\n</MG5ProcCard>');
      // text with < or & goes into CDATA, so the card stays readable
      expect(result.header).toContain('<MGRunCard note="a &quot;quoted&quot; &amp; &lt;odd&gt; value">\n<![CDATA[\n  10000 = nevents');
      expect(read.map(formatEvent)).toEqual(events.map(formatEvent));
      // XWGTUP keeps 11 significant digits (%+.10e)
      expect(read[3]!.weight).toBe(-935.1234567);
      expect(read[0]!.particles[2]!.mothers).toEqual([1, 2]);
      expect(read[0]!.particles[0]!.colour).toEqual([501, 0]);
    });
  }

  it('keeps a header larger than the read chunks intact', async () => {
    const path = join(work, 'big-header.lhe.gz');
    const card = Array.from({ length: 5000 }, (_, i) => `  ${i} = parameter_${i} ! a < b & c`).join('\n');
    const writer = await LheWriter.open(path, [{ name: 'MGRunCard', text: card }], init);
    await writer.write(sampleEvent(0));
    await writer.close();
    const result = await readLhe(path);
    expect(result.header).toBe(`\n<MGRunCard>\n<![CDATA[\n${card}\n]]>\n</MGRunCard>\n`);
    expect(result.events).toBe(1);
  });

  it('reads Fortran D exponents, comment lines and extra markup inside events', async () => {
    const path = join(work, 'fortran.lhe');
    writeFileSync(
      path,
      [
        '<?xml version="1.0"?>',
        '<LesHouchesEvents version="1.0">',
        '<!-- written by hand -->',
        '<init>',
        ' 11 -11 4.5594D+01 4.5594d+01 0 0 0 0 3 1',
        ' 1.0D+03 1.0D+00 1.0D+03 7',
        '</init>',
        '<event>',
        '  2 7  1.0D+03 9.1188D+01 7.546771D-03 1.18D-01',
        '# a comment line',
        '  11 -1 0 0 0 0 0.0D+00 0.0D+00 4.5594D+01 4.5594D+01 0.0D+00 0.0D+00 9.0D+00',
        '  13  1 1 1 0 0 1.0D+01 -2.0D+01 3.0D+01 4.5594D+01 0.10566D+00 0.0D+00 -1.0 # trailing comment',
        '<mgrwt>',
        '<rscale>  0 0.91188000E+02</rscale>',
        '</mgrwt>',
        '#aMCatNLO 1 2 3',
        '</event>',
        '</LesHouchesEvents>',
      ].join('\n'),
    );
    const events: LheEvent[] = [];
    const result = await readLhe(path, (event) => events.push(event));
    expect(result.version).toBe('1.0');
    expect(result.init.beams[1]).toEqual({ pdg: -11, energy: 45.594, pdfGroup: 0, pdfSet: 0 });
    expect(result.init.processes).toEqual([{ xsec: 1000, xerr: 1, xmax: 1000, id: 7 }]);
    expect(events).toHaveLength(1);
    expect(events[0]!.weight).toBe(1000);
    expect(events[0]!.particles[1]).toMatchObject({ pdg: 13, px: 10, py: -20, pz: 30, m: 0.10566, spin: -1 });
  });
});

describe('LheWriter atomicity and backpressure', () => {
  it('abort leaves only the .partial file, which reads as truncated', async () => {
    for (const name of ['aborted.lhe', 'aborted.lhe.gz']) {
      const path = join(work, 'abort', name);
      const writer = await LheWriter.open(path, header, init);
      for (let i = 0; i < 3; i++) await writer.write(sampleEvent(i));
      await writer.abort();
      expect(existsSync(path)).toBe(false);
      expect(existsSync(`${path}.partial`)).toBe(true);
      expect(() => writer.write(sampleEvent(4))).toThrow(/aborted/);
      let seen = 0;
      const error = await readLhe(`${path}.partial`, () => seen++).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LheFormatError);
      expect((error as Error).message).toMatch(/unclosed root/);
      expect(seen).toBe(3);
    }
  });

  it('close cannot be repeated and nothing is written after it', async () => {
    const path = join(work, 'closed.lhe');
    const writer = await LheWriter.open(path, [], init);
    await writer.write(sampleEvent(0));
    await writer.close();
    await expect(writer.close()).rejects.toThrow(/closed/);
    expect(() => writer.write(sampleEvent(1))).toThrow(/closed/);
    expect((await readLhe(path)).events).toBe(1);
  });

  // /dev/full fails every write with ENOSPC: a full disk without mounting one
  for (const name of ['full.lhe', 'full.lhe.gz']) {
    it.skipIf(!existsSync('/dev/full'))(`a full disk is the user's error naming the file (${name}); nothing under the final name`, async () => {
      const path = join(work, 'full', name);
      mkdirSync(join(work, 'full'), { recursive: true });
      symlinkSync('/dev/full', `${path}.partial`);
      const failure = await (async () => {
        const writer = await LheWriter.open(path, header, init);
        for (let i = 0; i < 5000; i++) await writer.write(sampleEvent(i));
        await writer.close();
      })().catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(UserError);
      expect((failure as Error).message).toBe(`cannot write ${path}.partial: no space left on the device (ENOSPC); free some space or write elsewhere (--out), then run again`);
      expect(existsSync(path)).toBe(false);
    });
  }

  for (const name of ['big.lhe', 'big.lhe.gz']) {
    it(`waits for drain while writing 20000 events to ${name}`, async () => {
      const path = join(work, 'big', name);
      const writer = await LheWriter.open(path, header, init);
      let waits = 0;
      for (let i = 0; i < 20000; i++) {
        const pending = writer.write(sampleEvent(i));
        if (pending) {
          waits++;
          await pending;
        }
      }
      expect(waits).toBeGreaterThan(0);
      await writer.close();
      let last: LheEvent | undefined;
      const result = await readLhe(path, (event) => (last = event));
      expect(result.events).toBe(20000);
      expect(formatEvent(last!)).toBe(formatEvent(sampleEvent(19999)));
    });
  }
});

describe('LheWriter.close with a normalisation', () => {
  it('a staged file killed before its normalisation reads as truncated, never as complete', async () => {
    const path = join(work, 'norm', 'killed.lhe.gz');
    const writer = await LheWriter.open(path, header, init, { staged: true });
    for (let i = 0; i < 3; i++) await writer.write(sampleEvent(i));
    await expect(writer.close()).rejects.toThrow(/staged/);
    await writer.abort();
    expect(existsSync(path)).toBe(false);
    const error = await readLhe(join(work, 'norm', 'killed.lhe.partial')).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/unclosed root/);
  });

  for (const name of ['norm.lhe', 'norm.lhe.gz']) {
    it(`${name}: a new banner and <init>, the k-th event's weight replaced, everything else kept`, async () => {
      const path = join(work, 'norm', name);
      const writer = await LheWriter.open(path, [{ name: 'first', text: 'written before the events' }], init, { staged: true });
      const events = Array.from({ length: 3000 }, (_, i) => ({ ...sampleEvent(i), trailer: i % 3 ? '' : `<mgrwt>\n<rscale>  2 0.1E+03</rscale>\n</mgrwt>\n` }));
      for (const event of events) await writer.write(event);
      const final = { ...init, processes: [{ xsec: 1, xerr: 0.5, xmax: 1, id: 1 }] };
      // small reads: many weight fields straddle two chunks
      await writer.close({ header: [{ name: 'final', text: 'written after the events' }], init: final, weight: (k) => k + 0.5, readChunkBytes: 1000 });
      expect(existsSync(`${path}.partial`)).toBe(false);
      expect(existsSync(join(work, 'norm', 'norm.lhe.partial'))).toBe(false);
      const read: LheEvent[] = [];
      const result = await readLhe(path, (event) => read.push(event));
      expect(result.header).toBe('\n<final>\nwritten after the events\n</final>\n');
      expect(result.init).toEqual(final);
      expect(read).toHaveLength(events.length);
      read.forEach((event, k) => {
        expect(event.weight).toBe(k + 0.5);
        expect(formatEvent({ ...event, weight: 0, trailer: events[k]!.trailer })).toBe(formatEvent({ ...events[k]!, weight: 0 }));
      });
      const text = name.endsWith('.gz') ? gunzipSync(readFileSync(path)).toString() : readFileSync(path, 'utf8');
      expect(text.match(/<mgrwt>/g)).toHaveLength(1000);
    });
  }

  it('<rwgt> weights are XWGTUP times their factor after normalisation, a factor of 1 is XWGTUP exactly; <initrwgt> is markup', async () => {
    const path = join(work, 'norm', 'rwgt.lhe');
    const ids = ['1', '2', 'é'];
    const writer = await LheWriter.open(path, [], init, { staged: true });
    const factors = (i: number) => [0.5 + i / 7, 1, 2 + i / 11];
    // a non-ASCII trailer before the block moves the byte offsets away from the characters'
    for (let i = 0; i < 2000; ++i) await writer.write({ ...sampleEvent(i), trailer: i % 2 ? '<x>ü</x>\n' : '', reweights: { ids, factors: factors(i) } });
    const initrwgt = `<weightgroup name="Central scale variation" combine="envelope">\n<weight id="1" MUR="0.5"> MUR=0.5 </weight>\n</weightgroup>`;
    await writer.close({ header: [{ name: 'initrwgt', text: initrwgt, markup: true }], init, weight: (k) => 3 * k + 0.25, readChunkBytes: 777 });
    const text = readFileSync(path, 'utf8');
    expect(text).toContain(`<initrwgt>\n${initrwgt}\n</initrwgt>`);
    const blocks = [...text.matchAll(/<event>\n\s*\d+\s+\d+\s+(\S+)[\s\S]*?<rwgt>\n([\s\S]*?)<\/rwgt>/g)];
    expect(blocks).toHaveLength(2000);
    blocks.forEach((block, k) => {
      const xwgtup = block[1]!;
      const wgts = [...block[2]!.matchAll(/<wgt id='([^']*)'> (\S+) <\/wgt>/g)];
      expect(wgts.map((w) => w[1])).toEqual(ids);
      expect(Number(xwgtup)).toBe(3 * k + 0.25);
      expect(wgts[1]![2]).toBe(xwgtup);
      const expected = factors(k);
      [0, 2].forEach((v) => expect(Math.abs(Number(wgts[v]![2]) / ((3 * k + 0.25) * expected[v]!) - 1)).toBeLessThan(1e-10));
    });
  });

  it('reading with extras gives back each event\'s <rwgt> factors and trailer, so a merge writes them again', async () => {
    const path = join(work, 'norm', 'extras.lhe');
    const ids = ['1', '2', '9'];
    const factors = (i: number) => [0.5 + i / 7, 1, 2 + i / 11];
    const trailer = (i: number) => (i % 2 ? '<mgrwt>\n<rscale>  2 0.91188000E+02</rscale>\n<totfact> 0.1E+01</totfact>\n</mgrwt>\n' : undefined);
    const written = Array.from({ length: 500 }, (_, i) => ({ ...sampleEvent(i), trailer: trailer(i), reweights: { ids, factors: factors(i) } }));
    const writer = await LheWriter.open(path, [], init);
    for (const event of written) await writer.write(event);
    await writer.close();
    const read: LheEvent[] = [], plain: LheEvent[] = [];
    await readLhe(path, (e) => { read.push(e); }, undefined, { extras: true });
    await readLhe(path, (e) => { plain.push(e); });
    expect(read).toHaveLength(500);
    const texts = readFileSync(path, 'utf8').match(/<event>[\s\S]*?<\/event>\n/g)!;
    read.forEach((event, k) => {
      expect(event.trailer).toBe(trailer(k));
      expect(event.reweights!.ids).toEqual(ids);
      factors(k).forEach((f, v) => expect(Math.abs(event.reweights!.factors[v]! / f - 1)).toBeLessThan(1e-10));
      // written again, the event is the file's text
      expect(formatEvent(event)).toBe(texts[k]);
    });
    // without extras nothing after the particles is kept
    expect(plain.every((e) => e.trailer === undefined && e.reweights === undefined)).toBe(true);
  });
});
