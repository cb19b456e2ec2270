import { describe, expect, it } from 'vitest';

import { loadAddon } from '../../src/native/addon.js';
import { checkEventRecord, EVENT_COLUMNS, EVENT_RECORD_VERSION } from '../../src/native/event_record.js';
import { UserError } from '../../src/util/errors.js';
import { builtin } from '../helpers.js';

describe('event record (native/src/event_record.h ↔ src/native/event_record.ts)', () => {
  it('the addon was built with the version and columns this code reads', () => {
    const { eventRecord } = loadAddon();
    expect(eventRecord.version).toBe(EVENT_RECORD_VERSION);
    expect(eventRecord.columns).toEqual([...EVENT_COLUMNS]);
  });

  it('another version, other columns or none is a user error telling to rebuild', () => {
    const columns = [...EVENT_COLUMNS];
    expect(() => checkEventRecord({ version: EVENT_RECORD_VERSION + 1, columns, maxResonances: 8 }, 'x.node')).toThrow(UserError);
    expect(() => checkEventRecord({ version: EVENT_RECORD_VERSION, columns: columns.slice(1), maxResonances: 8 }, 'x.node')).toThrow(/npm run build/);
    expect(() => checkEventRecord(undefined, 'x.node')).toThrow(/x\.node was built with event record no version/);
    expect(() => checkEventRecord({ version: EVENT_RECORD_VERSION, columns, maxResonances: 8 }, 'x.node')).not.toThrow();
  });

  it('evaluate returns the whole record, every column with its width per event', async () => {
    const process = builtin('builtin:ee_mumu');
    const n = 50, u = new Float64Array(n * process.info.dimension).map((_, i) => (i * 0.618034) % 1);
    const { events, weight } = await process.native.evaluate(1, u);
    const externals = process.info.pdg.length, slots = 2 * loadAddon().eventRecord.maxResonances;
    expect(weight.length).toBe(n);
    expect(events.count).toBe(n);
    expect(events.externals).toBe(externals);
    const widths: Record<(typeof EVENT_COLUMNS)[number], number> = {
      momenta: 4 * externals, pdg: externals, helicity: externals, colour: 2 * externals, resonances: slots, resonanceColour: slots,
      qcdOrder: 1, x1: 1, x2: 1, muF: 1, muR: 1, alphaS: 1, alphaQED: 1, pdfFactor: 1,
    };
    for (const column of EVENT_COLUMNS) expect(events[column].length, column).toBe(n * widths[column]);
    expect(Array.from(events.pdg.subarray(0, externals))).toEqual(process.info.pdg);
  });
});
