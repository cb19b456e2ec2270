/**
 * Streams a Les Houches Event file (plain or gzip) through a SAX parser, validating the
 * <init> block and every event. Files are never loaded whole: MG5 event files reach
 * gigabytes. Every format error names the file and the 1-based line of the offending text.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

import sax from 'sax';

import { UserError } from '../util/errors.js';
import type { LheBeam, LheEvent, LheInit, LheParticle, LheProcess } from './types.js';

export class LheFormatError extends UserError {
  constructor(readonly path: string, readonly line: number, reason: string) {
    super(`${path}:${line}: ${reason}`);
  }
}

export interface LheReadResult {
  init: LheInit;
  header: string;
  events: number;
  version: string;
}

interface Line { text: string; line: number } // line: 1-based, of the text's first character

// Fortran writes 1.0d+03; accept it along with C's exponent forms.
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eEdD][+-]?\d+)?$/;

class Fields {
  readonly tokens: string[];

  constructor(private readonly source: Line, private readonly fail: (line: number, reason: string) => never,
    what: string, private readonly names: readonly string[]) {
    // a trailing '#...' is a comment (MG5 and Fortran writers append them)
    const hash = source.text.indexOf('#');
    this.tokens = (hash >= 0 ? source.text.slice(0, hash) : source.text).trim().split(/\s+/);
    if (this.tokens.length !== names.length) {
      fail(source.line, `${what} needs ${names.length} fields (${names.join(' ')}), found ${this.tokens.length}`);
    }
  }

  number(i: number): number {
    const token = this.tokens[i] ?? '';
    if (!NUMBER.test(token)) this.fail(this.source.line, `${this.names[i]} '${token}' is not a number`);
    return Number(token.replace(/[dD]/, 'e'));
  }

  integer(i: number): number {
    const value = this.number(i);
    if (!Number.isSafeInteger(value)) this.fail(this.source.line, `${this.names[i]} '${this.tokens[i]}' is not an integer`);
    return value;
  }
}

const INIT_FIELDS = ['IDBMUP1', 'IDBMUP2', 'EBMUP1', 'EBMUP2', 'PDFGUP1', 'PDFGUP2', 'PDFSUP1', 'PDFSUP2', 'IDWTUP', 'NPRUP'] as const;
const PROCESS_FIELDS = ['XSECUP', 'XERRUP', 'XMAXUP', 'LPRUP'] as const;
const EVENT_FIELDS = ['NUP', 'IDPRUP', 'XWGTUP', 'SCALUP', 'AQEDUP', 'AQCDUP'] as const;
const PARTICLE_FIELDS = ['IDUP', 'ISTUP', 'MOTHUP1', 'MOTHUP2', 'ICOLUP1', 'ICOLUP2', 'PX', 'PY', 'PZ', 'E', 'M', 'VTIMUP', 'SPINUP'] as const;

/** The lines of an element's own text, without blank, '#' comment or stray markup lines. */
function contentLines(segments: Line[]): Line[] {
  const lines: Line[] = [];
  for (const segment of segments) {
    const parts = segment.text.split('\n');
    for (let k = 0; k < parts.length; k++) {
      const text = parts[k]!.trim();
      if (text !== '' && text[0] !== '#' && text[0] !== '<') lines.push({ text, line: segment.line + k });
    }
  }
  return lines;
}

const RWGT_BLOCK = /<rwgt>([\s\S]*?)<\/rwgt>[ \t]*\n?/;
const WGT = /<wgt\s+id\s*=\s*(['"])(.*?)\1\s*>\s*([^<\s]+)\s*<\/wgt>/g;

/**
 * What follows an event's particle lines, kept so the event can be written again unchanged:
 * its <rwgt> weights (as factors of XWGTUP) and the rest (MG5's <mgrwt> block, comments) as
 * the trailer. `raw` is the text between <event> and </event>.
 */
function addExtras(event: LheEvent, raw: string, line: number, fail: (line: number, reason: string) => never): void {
  let end = 0, data = 0;
  const needed = 1 + event.particles.length;
  while (data < needed) {
    const next = raw.indexOf('\n', end);
    const text = raw.slice(end, next < 0 ? raw.length : next).trim();
    if (text !== '' && text[0] !== '#' && text[0] !== '<') ++data;
    end = next < 0 ? raw.length : next + 1;
  }
  let trailer = raw.slice(end);
  const block = RWGT_BLOCK.exec(trailer);
  if (block) {
    const ids: string[] = [], factors: number[] = [];
    for (const wgt of block[1]!.matchAll(WGT)) {
      const value = Number(wgt[3]!.replace(/[dD]/, 'e'));
      if (!NUMBER.test(wgt[3]!)) fail(line, `<wgt id='${wgt[2]}'> value '${wgt[3]}' is not a number`);
      ids.push(wgt[2]!);
      factors.push(event.weight !== 0 ? value / event.weight : 0);
    }
    event.reweights = { ids, factors };
    trailer = trailer.slice(0, block.index) + trailer.slice(block.index + block[0].length);
  }
  if (trailer.trim() !== '') event.trailer = trailer.endsWith('\n') ? trailer : `${trailer}\n`;
}

/** What is known while the SAX parser walks the file; its handlers throw LheFormatError. */
class LheParser {
  private readonly xml = sax.parser(true, { position: true });
  private readonly stack: string[] = [];
  private rootSeen = false;
  private rootClosed = false;
  private version = '';
  private init: LheInit | undefined;
  private header = '';
  private headerStart = -1;
  private headerParts: string[] | undefined;
  private chunk = '';
  private chunkBase = 0;
  private endsWithNewline = false;
  private lastTagEndLine = 0;
  private textOpen = false;
  private owner: { depth: number; line: number; segments: Line[] } | undefined;
  private inInit = false;
  private generator: { name: string; version: string } | undefined;
  private inEvent = false;
  private events = 0;
  /** with `extras`: where the open event's text starts, and the chunks it spans */
  private eventStart = -1;
  private eventParts: string[] | undefined;

  constructor(
    private readonly path: string,
    private readonly onEvent?: (event: LheEvent, index: number) => void,
    private readonly onInit?: (init: LheInit) => void,
    private readonly extras = false,
  ) {
    const xml = this.xml;
    xml.onerror = (error) => {
      const reason = error.message.split('\n')[0] ?? error.message;
      this.fail(xml.line + 1, this.rootSeen ? `malformed XML: ${reason}` : `missing <LesHouchesEvents> root: ${reason}`);
    };
    xml.ontext = (text) => this.text(text);
    xml.onopentag = (tag) => this.openTag(tag.name, tag.attributes as Record<string, string>);
    xml.onclosetag = (name) => this.closeTag(name);
    // any markup ends a text run; the next run starts where this markup ended
    const markup = (): void => {
      this.textOpen = false;
      this.lastTagEndLine = xml.line;
    };
    xml.oncdata = xml.oncomment = xml.ondoctype = markup;
    xml.onprocessinginstruction = markup;
  }

  readonly fail = (line: number, reason: string): never => {
    throw new LheFormatError(this.path, Math.max(1, line), reason);
  };

  /** The last line the parser reached (a final newline does not start a new line). */
  get lastLine(): number {
    return Math.max(1, this.xml.line + (this.endsWithNewline ? 0 : 1));
  }

  write(chunk: string): void {
    if (chunk.length === 0) return;
    this.chunkBase += this.chunk.length;
    this.chunk = chunk;
    this.headerParts?.push(chunk);
    this.eventParts?.push(chunk);
    this.endsWithNewline = chunk.endsWith('\n');
    this.xml.write(chunk);
  }

  private text(text: string): void {
    // sax splits long text runs (64 KiB buffers), so a run may arrive in pieces
    const owner = this.owner;
    if (owner && this.stack.length === owner.depth) {
      const last = owner.segments[owner.segments.length - 1];
      if (this.textOpen && last) last.text += text;
      else owner.segments.push({ text, line: this.lastTagEndLine + 1 });
    }
    this.textOpen = true;
  }

  private openTag(name: string, attributes: Record<string, string>): void {
    const line = this.xml.line + 1;
    this.textOpen = false;
    this.lastTagEndLine = this.xml.line;
    const depth = this.stack.length;
    if (depth === 0) {
      if (this.rootSeen) {
        this.fail(line, name === 'event' ? '<event> outside <LesHouchesEvents>' : `<${name}> after </LesHouchesEvents>`);
      }
      if (name !== 'LesHouchesEvents') this.fail(line, `missing <LesHouchesEvents> root: the file starts with <${name}>`);
      this.rootSeen = true;
      this.version = attributes.version ?? '';
    } else if (name === 'event') {
      if (this.inEvent) this.fail(line, '<event> inside another <event>');
      if (this.inInit || this.headerParts) this.fail(line, `<event> inside <${this.inInit ? 'init' : 'header'}>`);
      if (!this.init) this.fail(line, '<event> before <init>: the <init> block is missing');
      this.inEvent = true;
      this.owner = { depth: depth + 1, line, segments: [] };
      if (this.extras) {
        this.eventStart = this.xml.position;
        this.eventParts = [this.chunk.slice(this.eventStart - this.chunkBase)];
      }
    } else if (depth === 1 && name === 'init') {
      if (this.init) this.fail(line, 'a second <init> block');
      this.inInit = true;
      this.owner = { depth: depth + 1, line, segments: [] };
    } else if (depth === 1 && name === 'header' && this.headerStart < 0) {
      this.headerStart = this.xml.position;
      this.headerParts = [this.chunk.slice(this.headerStart - this.chunkBase)];
    } else if (this.inInit && depth === 2 && name === 'generator') {
      this.generator = { name: attributes.name ?? '', version: attributes.version ?? '' };
    }
    this.stack.push(name);
  }

  private closeTag(name: string): void {
    const line = this.xml.line + 1;
    this.textOpen = false;
    this.lastTagEndLine = this.xml.line;
    this.stack.pop();
    const depth = this.stack.length;
    if (this.owner && depth === this.owner.depth - 1) {
      const owner = this.owner;
      this.owner = undefined;
      if (this.inEvent) {
        this.inEvent = false;
        const event = this.parseEvent(owner.line, contentLines(owner.segments), line);
        if (this.eventParts) {
          // startTagPosition is one past the '<' of </event>
          const raw = this.eventParts.join('').slice(0, this.xml.startTagPosition - 1 - this.eventStart);
          this.eventParts = undefined;
          addExtras(event, raw, owner.line, this.fail);
        }
        this.onEvent?.(event, this.events);
        this.events++;
      } else {
        this.inInit = false;
        this.init = this.parseInit(owner.line, contentLines(owner.segments), line);
        this.onInit?.(this.init);
      }
    } else if (depth === 1 && name === 'header' && this.headerParts) {
      // startTagPosition is one past the '<' of </header>
      this.header = this.headerParts.join('').slice(0, this.xml.startTagPosition - 1 - this.headerStart);
      this.headerParts = undefined;
    } else if (depth === 0) {
      this.rootClosed = true;
    }
  }

  private parseInit(openLine: number, lines: Line[], closeLine: number): LheInit {
    const first = lines[0];
    if (!first) return this.fail(openLine, 'empty <init> block');
    const f = new Fields(first, this.fail, '<init> beam line', INIT_FIELDS);
    const beam = (k: 0 | 1): LheBeam => ({ pdg: f.integer(k), energy: f.number(2 + k), pdfGroup: f.integer(4 + k), pdfSet: f.integer(6 + k) });
    const beams: [LheBeam, LheBeam] = [beam(0), beam(1)];
    const weighting = f.integer(8);
    const count = f.integer(9);
    if (count < 1) this.fail(first.line, `NPRUP must be at least 1, found ${count}`);
    const processes: LheProcess[] = [];
    for (let i = 0; i < count; i++) {
      const source = lines[1 + i];
      if (!source) this.fail(closeLine, `<init> has ${i} process line(s) but NPRUP = ${count}`);
      const p = new Fields(source!, this.fail, '<init> process line', PROCESS_FIELDS);
      processes.push({ xsec: p.number(0), xerr: p.number(1), xmax: p.number(2), id: p.integer(3) });
    }
    const init: LheInit = { beams, weighting, processes };
    if (this.generator) init.generator = this.generator;
    return init;
  }

  private parseEvent(openLine: number, lines: Line[], closeLine: number): LheEvent {
    const first = lines[0];
    if (!first) return this.fail(openLine, 'empty <event>');
    const f = new Fields(first, this.fail, 'event line', EVENT_FIELDS);
    const count = f.integer(0);
    if (count < 1) this.fail(first.line, `NUP must be at least 1, found ${count}`);
    const particles: LheParticle[] = [];
    for (let i = 0; i < count; i++) {
      const source = lines[1 + i];
      if (!source) this.fail(closeLine, `event has ${i} particle line(s) but NUP = ${count}`);
      const p = new Fields(source!, this.fail, 'particle line', PARTICLE_FIELDS);
      particles.push({
        pdg: p.integer(0), status: p.integer(1), mothers: [p.integer(2), p.integer(3)], colour: [p.integer(4), p.integer(5)],
        px: p.number(6), py: p.number(7), pz: p.number(8), e: p.number(9), m: p.number(10), lifetime: p.number(11), spin: p.number(12),
      });
    }
    return { processId: f.integer(1), weight: f.number(2), scale: f.number(3), alphaQED: f.number(4), alphaS: f.number(5), particles };
  }

  end(): LheReadResult {
    const line = this.lastLine;
    if (this.inEvent) this.fail(line, `file ended inside the <event> opened on line ${this.owner?.line}: truncated?`);
    if (!this.rootSeen) this.fail(1, 'missing <LesHouchesEvents> root: no XML element in the file');
    if (!this.rootClosed) this.fail(line, 'file ended before </LesHouchesEvents> (unclosed root): truncated?');
    this.xml.close();
    if (!this.init) return this.fail(line, 'missing <init> block');
    return { init: this.init, header: this.header, events: this.events, version: this.version };
  }
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

function fileError(path: string, error: unknown): UserError {
  const code = (error as { code?: unknown }).code;
  const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
  return new UserError(`cannot read LHE file ${path}: ${reason}`);
}

/**
 * Streams the file (gzip detected by its magic bytes, not its name) and validates it.
 * onInit sees the <init> block before the first event, for callers that judge events by it.
 */
export async function readLhe(
  path: string,
  onEvent?: (event: LheEvent, index: number) => void,
  onInit?: (init: LheInit) => void,
  /** also keep each event's <rwgt> weights and the text after its particles (trailer), to write it again */
  options: { extras?: boolean } = {},
): Promise<LheReadResult> {
  const gzip = await isGzip(path).catch((error: unknown) => {
    throw fileError(path, error);
  });
  const file = createReadStream(path);
  const gunzip = gzip ? createGunzip() : undefined;
  let source: Readable = file;
  if (gunzip) {
    file.on('error', (error) => gunzip.destroy(error));
    source = file.pipe(gunzip);
  }
  source.setEncoding('utf8');
  const parser = new LheParser(path, onEvent, onInit, options.extras ?? false);
  const chunks = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<string>;
      try {
        next = await chunks.next();
      } catch (error) {
        throw streamError(path, parser.lastLine, error);
      }
      if (next.done) break;
      // outside the try above: errors of the parser and of onEvent pass through unchanged
      parser.write(next.value);
    }
  } finally {
    file.destroy();
    gunzip?.destroy();
  }
  return parser.end();
}

function streamError(path: string, line: number, error: unknown): Error {
  const code = (error as { code?: unknown }).code;
  if (code === 'Z_BUF_ERROR' || (error as Error).message === 'unexpected end of file') {
    return new LheFormatError(path, line, `gzip stream ends unexpectedly after line ${line}: the file is truncated`);
  }
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new LheFormatError(path, line, `corrupt gzip data after line ${line} (${(error as Error).message})`);
  }
  return fileError(path, error);
}
