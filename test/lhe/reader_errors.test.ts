/**
 * Malformed LHE files: every error is a LheFormatError (a UserError) whose message starts
 * with `path:line: `, the line being the one with the offending text.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterAll, describe, expect, it } from 'vitest';

import { LheFormatError, readLhe } from '../../src/lhe/reader.js';
import { UserError } from '../../src/util/errors.js';

const work = mkdtempSync(join(tmpdir(), 'madnis-lhe-errors-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const P1 = '  11 -1 0 0 0 0 +0.0e+00 +0.0e+00 +4.5594e+01 4.5594e+01 0.0e+00 0.0e+00 9.0e+00';
const P2 = ' -11 -1 0 0 0 0 +0.0e+00 +0.0e+00 -4.5594e+01 4.5594e+01 0.0e+00 0.0e+00 9.0e+00';
const P3 = '  13  1 1 2 0 0 +1.0e+01 -2.0e+01 +3.0e+01 4.5594e+01 1.0566e-01 0.0e+00 9.0e+00';
const P4 = ' -13  1 1 2 0 0 -1.0e+01 +2.0e+01 -3.0e+01 4.5594e+01 1.0566e-01 0.0e+00 9.0e+00';

/** A valid file; the comments give each line's number, which the tests rely on. */
function validLines(): string[] {
  return [
    '<LesHouchesEvents version="3.0">', // 1
    '<header>', // 2
    '<MGVersion>', // 3
    '3.5.0', // 4
    '</MGVersion>', // 5
    '</header>', // 6
    '<init>', // 7
    ' 11 -11 4.5594e+01 4.5594e+01 0 0 0 0 3 1', // 8
    ' 1.0e+00 1.0e-02 1.0e+00 1', // 9
    '</init>', // 10
    '<event>', // 11
    ' 4 1 +1.0e+00 9.1188e+01 7.54e-03 1.18e-01', // 12
    P1, // 13
    P2, // 14
    P3, // 15
    P4, // 16
    '</event>', // 17
    '<event>', // 18
    ' 4 1 +1.0e+00 9.1188e+01 7.54e-03 1.18e-01', // 19
    P1, // 20
    P2, // 21
    P3, // 22
    P4, // 23
    '</event>', // 24
    '</LesHouchesEvents>', // 25
  ];
}

let counter = 0;
function fileWith(lines: string[], gzip = false): string {
  const path = join(work, `case${counter++}.lhe${gzip ? '.gz' : ''}`);
  const text = `${lines.join('\n')}\n`;
  writeFileSync(path, gzip ? gzipSync(text) : text);
  return path;
}

/** Replaces line `n` (1-based) of the valid file; `undefined` removes it. */
function edited(edits: Record<number, string | undefined>): string[] {
  const lines = validLines();
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (!(i + 1 in edits)) out.push(line);
    else if (edits[i + 1] !== undefined) out.push(edits[i + 1]!);
  });
  return out;
}

async function failure(path: string): Promise<LheFormatError> {
  const error = await readLhe(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LheFormatError);
  expect(error).toBeInstanceOf(UserError);
  return error as LheFormatError;
}

async function expectError(lines: string[], line: number, reason: RegExp): Promise<void> {
  const path = fileWith(lines);
  const error = await failure(path);
  expect(error.message.startsWith(`${path}:${line}: `), error.message).toBe(true);
  expect(error.message).toMatch(reason);
  expect(error.line).toBe(line);
}

describe('readLhe validation', () => {
  it('accepts the valid file the cases are made from', async () => {
    const result = await readLhe(fileWith(validLines()));
    expect(result.events).toBe(2);
    expect(result.header).toBe('\n<MGVersion>\n3.5.0\n</MGVersion>\n');
  });

  it('missing <LesHouchesEvents> root', async () => {
    await expectError(['<header>', '</header>'], 1, /missing <LesHouchesEvents> root/);
    await expectError(['', '  <Foo version="3.0">', '</Foo>'], 2, /missing <LesHouchesEvents> root.*<Foo>/);
    await expectError([''], 1, /missing <LesHouchesEvents> root/);
    await expectError(['just some text'], 1, /missing <LesHouchesEvents> root/);
  });

  it('missing or invalid <init>', async () => {
    await expectError(edited({ 7: undefined, 8: undefined, 9: undefined, 10: undefined }), 7, /<event> before <init>/);
    await expectError(edited({ 8: ' 11 -11 4.5594e+01 4.5594e+01 0 0 0 3 1' }), 8, /beam line needs 10 fields.*found 9/);
    await expectError(edited({ 8: ' 11 -11 4.5594e+01 4.5594x+01 0 0 0 0 3 1' }), 8, /EBMUP2 '4.5594x\+01' is not a number/);
    await expectError(edited({ 8: ' 11 -11 4.5594e+01 4.5594e+01 0 0 0 0 3.5 1' }), 8, /IDWTUP '3.5' is not an integer/);
    await expectError(edited({ 9: ' 1.0e+00 1.0e-02 1 1.0e+00 1' }), 9, /process line needs 4 fields/);
    await expectError(edited({ 9: ' 1.0e+00 abc 1.0e+00 1' }), 9, /XERRUP 'abc' is not a number/);
    await expectError(edited({ 9: undefined }), 9, /<init> has 0 process line\(s\) but NPRUP = 1/);
    await expectError(edited({ 8: undefined, 9: undefined }), 7, /empty <init>/);
    const noEvents = validLines().filter((_, i) => i < 6 || i === 24);
    await expectError(noEvents, 7, /missing <init> block/);
  });

  it('an event whose first line is malformed', async () => {
    await expectError(edited({ 19: ' 4 1 +1.0e+00 9.1188e+01 7.54e-03' }), 19, /event line needs 6 fields.*found 5/);
    await expectError(edited({ 19: ' 4 1 +1.0e+00 9.1188e+01 7.54e-03 alpha' }), 19, /AQCDUP 'alpha' is not a number/);
    await expectError(edited({ 12: ' four 1 +1.0e+00 9.1188e+01 7.54e-03 1.18e-01' }), 12, /NUP 'four' is not a number/);
    await expectError(edited({ 12: ' 0 1 +1.0e+00 9.1188e+01 7.54e-03 1.18e-01' }), 12, /NUP must be at least 1/);
    await expectError(edited({ 19: undefined, 20: undefined, 21: undefined, 22: undefined, 23: undefined }), 18, /empty <event>/);
  });

  it('a particle line with the wrong number of fields or a non-number', async () => {
    await expectError(edited({ 15: P3.replace(' 9.0e+00', '') }), 15, /particle line needs 13 fields.*found 12/);
    await expectError(edited({ 22: `${P3} 1.0` }), 22, /particle line needs 13 fields.*found 14/);
    await expectError(edited({ 21: P2.replace('-4.5594e+01', '-4.5594e+0l') }), 21, /PZ '-4.5594e\+0l' is not a number/);
    await expectError(edited({ 14: P2.replace(' -11', ' e-') }), 14, /IDUP 'e-' is not a number/);
    await expectError(edited({ 13: P1.replace('-1 0 0', '-1 0.5 0') }), 13, /MOTHUP1 '0.5' is not an integer/);
  });

  it('fewer particle lines than NUP', async () => {
    await expectError(edited({ 23: undefined }), 23, /event has 3 particle line\(s\) but NUP = 4/);
    await expectError(edited({ 12: ' 5 1 +1.0e+00 9.1188e+01 7.54e-03 1.18e-01' }), 17, /event has 4 particle line\(s\) but NUP = 5/);
  });

  it('an event outside the root', async () => {
    const lines = validLines();
    lines.push('<event>', ' 4 1 +1.0e+00 9.1188e+01 7.54e-03 1.18e-01', P1, P2, P3, P4, '</event>');
    await expectError(lines, 26, /<event> outside <LesHouchesEvents>/);
    await expectError(edited({ 4: '<event>', 5: '</event>' }), 4, /<event> inside <header>/);
    await expectError(edited({ 14: '<event>' }), 14, /<event> inside another <event>/);
  });

  it('keeps line numbers right across long text runs, which sax hands over in pieces', async () => {
    const comments = Array.from({ length: 3000 }, (_, i) => `# comment line ${i} ${'x'.repeat(40)}`);
    const lines = validLines();
    lines.splice(19, 0, ...comments); // > 64 KiB of text inside the second event
    lines[19 + 3000 + 2] = P3.replace('+1.0e+01', 'ten');
    await expectError(lines, 19 + 3000 + 3, /PX 'ten' is not a number/);
  });

  it('reads CRLF line endings and events grouped in <eventgroup>', async () => {
    const lines = validLines();
    lines.splice(17, 0, '<eventgroup>');
    lines.splice(25, 0, '</eventgroup>');
    const result = await readLhe(fileWith([lines.join('\r\n')]));
    expect(result.events).toBe(2);
  });

  it('malformed XML', async () => {
    await expectError(edited({ 17: '</init>' }), 17, /malformed XML: Unexpected close tag/);
  });

  it('a truncated plain file', async () => {
    await expectError(validLines().slice(0, 21), 21, /ended inside the <event> opened on line 18: truncated/);
    await expectError(validLines().slice(0, 24), 24, /ended before <\/LesHouchesEvents> \(unclosed root\)/);
    await expectError(validLines().slice(0, 8), 8, /unclosed root/);
  });

  it('a truncated gzip file names the file and the last line reached', async () => {
    // enough events that the cut lands well inside the compressed stream
    const lines = validLines().slice(0, 24);
    for (let i = 0; i < 2000; i++) lines.push('<event>', ` 4 1 +${(1 + i / 7).toExponential(6)} 9.1188e+01 7.54e-03 1.18e-01`, P1, P2, P3, P4, '</event>');
    lines.push('</LesHouchesEvents>');
    const whole = fileWith(lines, true);
    expect((await readLhe(whole)).events).toBe(2002);
    const bytes = readFileSync(whole);
    const cut = join(work, 'cut.lhe.gz');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const error = await failure(cut);
    const match = /^(.*):(\d+): gzip stream ends unexpectedly after line (\d+): the file is truncated$/.exec(error.message);
    expect(match, error.message).not.toBeNull();
    expect(match![1]).toBe(cut);
    expect(match![2]).toBe(match![3]);
    expect(Number(match![2])).toBeGreaterThan(1);
    expect(Number(match![2])).toBeLessThan(lines.length);
  });

  it('a file that is not there, or not gzip data behind the magic bytes', async () => {
    const missing = join(work, 'missing.lhe');
    await expect(readLhe(missing)).rejects.toThrow(new UserError(`cannot read LHE file ${missing}: no such file`));
    const corrupt = join(work, 'corrupt.lhe.gz');
    const bytes = gzipSync(`${validLines().join('\n')}\n`);
    bytes.fill(0xff, 12, 20);
    writeFileSync(corrupt, bytes);
    const error = await failure(corrupt);
    expect(error.message.startsWith(`${corrupt}:1: corrupt gzip data`), error.message).toBe(true);
  });
});
