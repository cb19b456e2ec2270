/**
 * MG5-style card settings (`--set ptj=30`, madnis.yaml's `cards.set`), applied by MG5's own
 * card reader as `set` lines of the MadEvent launch that compiles the process: MG5 knows
 * which card holds a key and checks its value.
 */
import { UserError } from '../util/errors.js';

export interface CardSetting {
  key: string;
  value: string;
  /** where the setting came from, for errors: "--set" or the madnis.yaml path */
  source: string;
}

/** `key=value` (the key may hold spaces, e.g. `mass 6=173`). */
export function parseCardSetting(text: string, source: string): CardSetting {
  const at = text.indexOf('=');
  const key = at > 0 ? text.slice(0, at).trim() : '';
  const value = at > 0 ? text.slice(at + 1).trim() : '';
  if (!key || !value) throw new UserError(`${source} ${text}: expected KEY=VALUE, e.g. ptj=30 or ebeam1=6800`);
  return { key, value, source };
}

/** The MG5 `set` lines, in order (a later setting of a key wins, as in MG5). */
export function cardSettingLines(settings: CardSetting[]): string[] {
  return settings.map((s) => {
    if (/[\n\r#;]/.test(s.key + s.value)) throw new UserError(`${s.source} ${s.key}=${s.value}: a card setting cannot contain a line break, '#' or ';'`);
    return `set ${s.key} ${s.value}`;
  });
}
