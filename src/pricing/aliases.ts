import { warn } from '../diag.js';

/**
 * The one check of model aliases (`PriceBookOptions.aliases`, `PriceSourceOptions.aliases`, the
 * pairs parsed from `OTEL_LLM_COST_ALIASES`): every path to a `PriceBook` ends here, so a bad
 * alias is named in exactly one warning. An alias and its target are trimmed; an alias is
 * matched case-insensitively. A value that is not an object, or an entry whose alias or target is
 * empty (or not a string), is ignored with a warning.
 */
export function validAliases(value: unknown): Map<string, string> {
  const aliases = new Map<string, string>();
  if (value === undefined) return aliases;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    warn('option aliases is ignored: an object { alias: model } is expected');
    return aliases;
  }
  for (const [alias, model] of Object.entries(value)) {
    if (typeof model === 'string' && model.trim() !== '' && alias.trim() !== '') {
      aliases.set(alias.trim().toLowerCase(), model.trim());
    } else {
      warn(`alias ${JSON.stringify(alias)} is ignored: its target must be a non-empty model name`);
    }
  }
  return aliases;
}
