/**
 * Writes Les Houches Event files the way MadGraph5 lays them out (column widths and
 * number formats of MG5's lhe_parser), so tools that grep or diff MG5 output see the same
 * shape. The file is written under `${finalPath}.partial` and renamed by close(): a file
 * under the final name is always complete. A full disk is the user's error naming the file
 * (storageError): the partial file stays for the caller to remove, a temporary one is removed.
 *
 * close() can also normalise, as MG5 does after unweighting: the events are written once,
 * then the file is rewritten with its final banner, <init> and per-event weights (MG5's
 * `event_norm average`: the mean XWGTUP equals the <init> cross section exactly, which is
 * only known once every event, overweights included, has been drawn).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { constants as zlibConstants, createGzip } from 'node:zlib';

import { ensureDirectory } from '../util/directories.js';
import { storageError } from '../util/errors.js';
import type { LheEvent, LheInit, LheParticle } from './types.js';

export interface LheHeaderSection {
  name: string;
  text: string;
  attributes?: Record<string, string>;
  /**
   * markup characters escaped (&lt;), not in CDATA: MG5's banner reader looks for tags on
   * every line, CDATA or not, and would take a '<init>' in the text for the init block
   */
  escape?: boolean;
  /** the text is XML markup to be read as such (LHE 3.0's <initrwgt>): written verbatim */
  markup?: boolean;
}

/** How close() rewrites the file into its final form. */
export interface LheNormalisation {
  /** bytes read from the staged file at a time (tests make it small to cross many chunk boundaries) */
  readChunkBytes?: number;
  header: LheHeaderSection[];
  init: LheInit;
  /** XWGTUP of the k-th event written (0-based) */
  weight: (k: number) => number;
}

// C's %e always has at least two exponent digits; JS toExponential gives 'e+2'.
function cExp(value: number, precision: number, width = 0, plus = false): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} to an LHE file`);
  let text = Math.abs(value).toExponential(precision);
  const e = text.indexOf('e');
  const exponent = text.slice(e + 2);
  text = `${text.slice(0, e + 2)}${exponent.length < 2 ? `0${exponent}` : exponent}`;
  // -0 keeps its sign, as printf does
  const negative = value < 0 || Object.is(value, -0);
  const sign = negative ? '-' : plus ? '+' : '';
  return `${sign}${text}`.padStart(width);
}

function cInt(value: number, width: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`expected an integer for an LHE file, got ${value}`);
  return String(value).padStart(width);
}

function formatParticle(p: LheParticle): string {
  return (
    ` ${cInt(p.pdg, 8)} ${cInt(p.status, 2)} ${cInt(p.mothers[0], 4)} ${cInt(p.mothers[1], 4)}` +
    ` ${cInt(p.colour[0], 4)} ${cInt(p.colour[1], 4)}` +
    ` ${cExp(p.px, 10, 13, true)} ${cExp(p.py, 10, 13, true)} ${cExp(p.pz, 10, 13, true)}` +
    ` ${cExp(p.e, 10, 14)} ${cExp(p.m, 10, 14)} ${cExp(p.lifetime, 4, 10)} ${cExp(p.spin, 4, 10)}\n`
  );
}

// XWGTUP with 11 significant digits (MG5: 8), so that the mean weight of a file equals its
// <init> cross section to ~1e-11, not only to the 5e-9 of MG5's rounding. 17 characters for
// any weight between 1e-99 and 1e100, which lets a staged file be normalised in place.
const WEIGHT_WIDTH = 17;
const formatWeight = (weight: number) => cExp(weight, 10, WEIGHT_WIDTH, true);
/** a staged XWGTUP and the blank after it */
const STAGED_WEIGHT = /^[+-]\d\.\d{10}e[+-]\d\d /;

/** The event's text, where its XWGTUP starts in it, and where each <wgt> value starts. */
function formatEventAt(event: LheEvent): { text: string; weightAt: number; reweightAt: number[] } {
  if (event.particles.length === 0) throw new RangeError('an LHE event needs at least one particle');
  const lead = `<event>\n${cInt(event.particles.length, 2)} ${cInt(event.processId, 6)} `;
  let text = `${lead}${formatWeight(event.weight)}` +
    ` ${cExp(event.scale, 8, 14)} ${cExp(event.alphaQED, 8, 14)} ${cExp(event.alphaS, 8, 14)}\n` +
    `${event.particles.map(formatParticle).join('')}${event.trailer ?? ''}`;
  const reweightAt: number[] = [];
  const reweights = event.reweights;
  if (reweights && reweights.ids.length) {
    if (reweights.factors.length !== reweights.ids.length) throw new RangeError(`an event has ${reweights.ids.length} weight ids and ${reweights.factors.length} factors`);
    // MG5's <rwgt> lines (lhe_parser: <wgt id='ID'> %+13.7e </wgt>), with XWGTUP's 11 digits
    text += '<rwgt>\n';
    reweights.ids.forEach((id, v) => {
      const open = `<wgt id='${escapeXml(id)}'> `;
      reweightAt.push(text.length + open.length);
      text += `${open}${formatWeight(event.weight * reweights.factors[v]!)} </wgt>\n`;
    });
    text += '</rwgt>\n';
  }
  return { text: `${text}</event>\n`, weightAt: lead.length, reweightAt };
}

export function formatEvent(event: LheEvent): string {
  return formatEventAt(event).text;
}

// 11 significant digits (more than MG5's %e) so σ survives a write/read round trip at
// any precision a Monte Carlo error could justify.
function formatInit(init: LheInit): string {
  if (init.processes.length === 0) throw new RangeError('LHE <init> needs at least one process');
  const [a, b] = init.beams;
  let text =
    `<init>\n ${cInt(a.pdg, 0)} ${cInt(b.pdg, 0)} ${cExp(a.energy, 10)} ${cExp(b.energy, 10)}` +
    ` ${cInt(a.pdfGroup, 0)} ${cInt(b.pdfGroup, 0)} ${cInt(a.pdfSet, 0)} ${cInt(b.pdfSet, 0)}` +
    ` ${cInt(init.weighting, 0)} ${init.processes.length}\n`;
  for (const p of init.processes) {
    text += ` ${cExp(p.xsec, 10)} ${cExp(p.xerr, 10)} ${cExp(p.xmax, 10)} ${cInt(p.id, 0)}\n`;
  }
  if (init.generator) {
    text += `<generator name='${escapeXml(init.generator.name)}' version='${escapeXml(init.generator.version)}'></generator>\n`;
  }
  return `${text}</init>\n`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function preamble(header: LheHeaderSection[], init: LheInit): string {
  return `<LesHouchesEvents version="3.0">\n<header>\n${header.map(formatHeaderSection).join('')}</header>\n` + formatInit(init);
}

function formatHeaderSection(section: LheHeaderSection): string {
  if (!XML_NAME.test(section.name)) throw new RangeError(`not a valid LHE header section name: '${section.name}'`);
  let open = section.name;
  for (const [key, value] of Object.entries(section.attributes ?? {})) {
    if (!XML_NAME.test(key)) throw new RangeError(`not a valid XML attribute name: '${key}'`);
    open += ` ${key}="${escapeXml(value)}"`;
  }
  let text = section.text;
  // Cards read better verbatim, so CDATA unless the text itself would end the CDATA.
  if (section.markup) {
    if (section.escape) throw new RangeError(`header section '${section.name}' cannot be both markup and escaped`);
  } else if (section.escape) text = escapeXml(text);
  else if (/[<&]/.test(text)) text = text.includes(']]>') ? escapeXml(text) : `<![CDATA[\n${text}\n]]>`;
  if (!text.endsWith('\n')) text += '\n';
  return `<${open}>\n${text}</${section.name}>\n`;
}

// Events are ~1 kB; handing zlib (and the fs stream) one per call costs more than the
// compression itself, so they go out in batches.
const BATCH_CHARS = 64 * 1024;

type State = 'open' | 'closed' | 'aborted' | 'failed';

export class LheWriter {
  readonly partialPath: string;
  readonly finalPath: string;
  private count = 0;
  private state: State = 'open';
  private failure: Error | undefined;
  private draining: Promise<void> | undefined;
  private buffer = '';
  /** staged files: bytes written so far (buffer included), and the byte offset of every event's XWGTUP */
  private bytes = 0;
  private preambleBytes = 0;
  /**
   * every weight field to patch: its byte offset, its event and its factor of that event's
   * XWGTUP (1 for XWGTUP itself, the <rwgt> factor for a <wgt>)
   */
  private fieldOffsets = new Float64Array(0);
  private fieldEvents = new Float64Array(0);
  private fieldFactors = new Float64Array(0);
  private fields = 0;

  private constructor(
    finalPath: string,
    private readonly handle: FileHandle,
    private readonly file: Writable,
    private readonly sink: Writable,
    partialPath: string,
    /** the partial file is plain text that close(normalisation) turns into the final file */
    private readonly staged = false,
  ) {
    this.finalPath = finalPath;
    this.partialPath = partialPath;
    const fail = (error: Error): void => {
      this.failure ??= storageError(error, partialPath) as Error;
    };
    file.on('error', fail);
    if (sink !== file) {
      sink.on('error', fail);
      // pipe() does not forward errors: without this a full disk would leave a drain
      // wait on the gzip stream hanging forever
      file.on('error', (error) => sink.destroy(error));
      sink.on('error', (error) => file.destroy(error));
    }
  }

  /**
   * `staged`: for a file that close() rewrites (normalises) anyway, the events go to a plain
   * text partial file (`unweighted_events.lhe.partial` for `unweighted_events.lhe.gz`), and
   * only the final file is compressed: one compression, not two.
   */
  static async open(finalPath: string, header: LheHeaderSection[], init: LheInit, options: { staged?: boolean } = {}): Promise<LheWriter> {
    // format first, so a bad argument leaves nothing on disk
    const text = preamble(header, init);
    if (options.staged) return LheWriter.openFile(finalPath, `${finalPath.replace(/\.gz$/, '')}.partial`, text, null, true);
    return LheWriter.openFile(finalPath, `${finalPath}.partial`, text, finalPath.endsWith('.gz') ? zlibConstants.Z_DEFAULT_COMPRESSION : null);
  }

  /** gzipLevel null: plain text */
  private static async openFile(finalPath: string, path: string, preambleText: string, gzipLevel: number | null, staged = false): Promise<LheWriter> {
    ensureDirectory(dirname(finalPath));
    const handle = await open(path, 'w').catch((error: unknown) => {
      throw storageError(error, path);
    });
    const file = handle.createWriteStream({ autoClose: false });
    let sink: Writable = file;
    if (gzipLevel !== null) {
      const gzip = createGzip({ level: gzipLevel });
      gzip.pipe(file);
      sink = gzip;
    }
    const writer = new LheWriter(finalPath, handle, file, sink, path, staged);
    writer.preambleBytes = Buffer.byteLength(preambleText);
    writer.bytes = writer.preambleBytes;
    await writer.push(preambleText);
    return writer;
  }

  get eventsWritten(): number {
    return this.count;
  }

  write(event: LheEvent): Promise<void> | void {
    if (this.state !== 'open') throw new Error(`LHE writer for ${this.finalPath} is ${this.state}`);
    if (this.failure) throw this.failure;
    const { text, weightAt, reweightAt } = formatEventAt(event);
    if (this.staged) {
      // the head up to XWGTUP is ASCII (numbers): its characters are bytes
      this.addField(this.bytes + weightAt, 1);
      if (reweightAt.length) {
        // the text before a <wgt> value may hold non-ASCII (a trailer): count its bytes
        reweightAt.forEach((at, v) => this.addField(this.bytes + Buffer.byteLength(text.slice(0, at)), event.reweights!.factors[v]!));
      }
      this.bytes += Buffer.byteLength(text);
    }
    this.buffer += text;
    this.count++;
    if (this.buffer.length < BATCH_CHARS) return;
    const out = this.buffer;
    this.buffer = '';
    return this.push(out);
  }

  private addField(offset: number, factor: number): void {
    if (this.fields === this.fieldOffsets.length) {
      const grow = (old: Float64Array) => {
        const grown = new Float64Array(Math.max(1024, 2 * old.length));
        grown.set(old);
        return grown;
      };
      this.fieldOffsets = grow(this.fieldOffsets);
      this.fieldEvents = grow(this.fieldEvents);
      this.fieldFactors = grow(this.fieldFactors);
    }
    this.fieldOffsets[this.fields] = offset;
    this.fieldEvents[this.fields] = this.count;
    this.fieldFactors[this.fields] = factor;
    this.fields++;
  }

  private push(text: string): Promise<void> | void {
    if (this.sink.write(text)) return;
    // one shared wait, so callers that do not await cannot pile up listeners
    this.draining ??= once(this.sink, 'drain').then(
      () => {
        this.draining = undefined;
      },
      (error: unknown) => {
        this.draining = undefined;
        throw storageError(error, this.partialPath);
      },
    );
    return this.draining;
  }

  /**
   * Completes the file and renames it to the final name; with a normalisation, rewrites it
   * (final banner, <init> and weights) under a temporary name first, then removes the
   * partial file.
   */
  async close(normalisation?: LheNormalisation): Promise<void> {
    if (this.state !== 'open') throw new Error(`LHE writer for ${this.finalPath} is ${this.state}`);
    if (this.staged !== Boolean(normalisation)) throw new Error(`a staged LHE file, and only one, is completed by close(normalisation) (${this.partialPath})`);
    this.state = 'failed';
    try {
      if (this.failure) throw this.failure;
      // a staged file gets no closing tag: killed while it is normalised, it reads as truncated
      this.sink.end(this.staged ? this.buffer : `${this.buffer}</LesHouchesEvents>\n`);
      await finished(this.file);
      await this.handle.sync();
      await this.release();
      if (normalisation) {
        const rewritten = `${this.finalPath}.tmp-${process.pid}`;
        try {
          await this.normalise(rewritten, normalisation);
          await rename(rewritten, this.finalPath);
        } catch (error) {
          await rm(rewritten, { force: true });
          throw storageError(error, this.finalPath);
        }
        await rm(this.partialPath, { force: true });
      } else {
        await rename(this.partialPath, this.finalPath);
      }
    } catch (error) {
      await this.release().catch(() => undefined);
      throw storageError(error, this.partialPath);
    }
    await syncDirectory(dirname(this.finalPath));
    this.state = 'closed';
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    // end (not destroy) so the gzip member is complete up to the last event written,
    // which keeps the .partial file readable for a post-mortem
    if (!this.failure) {
      this.sink.end(this.buffer);
      await finished(this.file).catch(() => undefined);
    }
    await this.release().catch(() => undefined);
  }

  /**
   * The staged file into `path`: the new preamble, then the events' bytes as written with
   * every XWGTUP overwritten in place (same width) by normalisation.weight(k), and every
   * <wgt> value by normalisation.weight(k) times its factor, compressed
   * when the final name ends in .gz; synced before the caller renames it.
   */
  private async normalise(path: string, normalisation: LheNormalisation): Promise<void> {
    const offsets = this.fieldOffsets, fieldEvents = this.fieldEvents, factors = this.fieldFactors;
    const fields = this.fields, events = this.count, skip = this.preambleBytes, partial = this.partialPath;
    const head = Buffer.from(preamble(normalisation.header, normalisation.init));
    async function* patched(): AsyncGenerator<Buffer> {
      yield head;
      let k = 0, position = 0, carry: Buffer | undefined;
      for await (const raw of createReadStream(partial, { highWaterMark: normalisation.readChunkBytes ?? 1 << 20 }) as AsyncIterable<Buffer>) {
        const chunk = carry ? Buffer.concat([carry, raw]) : raw;
        carry = undefined;
        const end = position + chunk.length;
        // each field is checked with the blank that follows it
        for (; k < fields && offsets[k]! + WEIGHT_WIDTH + 1 <= end; ++k) {
          const at = offsets[k]! - position, event = fieldEvents[k]!;
          // the staged field must be where and as wide as the new one
          if (!STAGED_WEIGHT.test(chunk.toString('latin1', at, at + WEIGHT_WIDTH + 1))) throw new Error(`${partial}: event ${event + 1} has no ${WEIGHT_WIDTH}-character weight at byte ${offsets[k]}: cannot normalise it`);
          // XWGTUP's factor is 1: its value is weight(k) exactly
          const weight = formatWeight(normalisation.weight(event) * factors[k]!);
          if (weight.length !== WEIGHT_WIDTH) throw new RangeError(`event ${event + 1}: weight ${weight} does not fit the ${WEIGHT_WIDTH} characters of a weight field`);
          chunk.write(weight, at, 'latin1');
        }
        // a weight field that runs past this chunk is patched with the next one
        const keep = k < fields && offsets[k]! < end ? offsets[k]! - position : chunk.length;
        if (keep < chunk.length) carry = Buffer.from(chunk.subarray(keep));
        const from = Math.max(0, skip - position);
        if (from < keep) yield chunk.subarray(from, keep);
        position += keep;
      }
      if (carry || k !== fields) throw new Error(`${partial} ends before its ${events} events: cannot normalise it`);
      yield Buffer.from('</LesHouchesEvents>\n');
    }
    const file = createWriteStream(path);
    if (this.finalPath.endsWith('.gz')) await pipeline(patched(), createGzip(), file);
    else await pipeline(patched(), file);
    const handle = await open(path, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  // A stream made from a FileHandle holds it until destroyed (autoClose is off so that
  // close() can fsync first); handle.close() would otherwise wait forever.
  private async release(): Promise<void> {
    this.sink.destroy();
    this.file.destroy();
    await this.handle.close();
  }
}

// The rename is only durable once the directory entry is on disk; not every file
// system lets a directory be opened for that, hence best effort.
async function syncDirectory(path: string): Promise<void> {
  try {
    const dir = await open(path, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // ignored: the data itself is already synced
  }
}
