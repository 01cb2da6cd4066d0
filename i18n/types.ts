/**
 * The shape of a message catalog. A message is a string with `{name}` placeholders, or plural
 * forms chosen by the `count` parameter through Intl.PluralRules (French says "0 scénario",
 * English "0 scenarios": the rules differ, so each language lists the forms it needs).
 */

/** Plural forms by CLDR category; `zero` here means exactly 0 (e.g. "no runs"), in any language. */
export interface Plural {
  readonly zero?: string;
  readonly one?: string;
  readonly two?: string;
  readonly few?: string;
  readonly many?: string;
  readonly other: string;
}

export type Message = string | Plural;

/** The placeholder names of a message type: `'{n} runs'` → `'n'`. */
type Names<S> = S extends `${string}{${infer P}}${infer Rest}` ? P | Names<Rest> : never;

export type ParamNames<M> = M extends string
  ? Names<M>
  : M extends Plural
    ? Names<M[keyof M]> | 'count'
    : never;

export type ParamValue = string | number;
