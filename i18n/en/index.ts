/**
 * The English catalog: the source of the keys (the French one must have exactly the same).
 * One file per area keeps concurrent additions apart; a new area is a file here, its twin in
 * ../fr/, and a line in each index.
 */
import { args } from './args.ts';
import { cli } from './cli.ts';
import { common } from './common.ts';
import { dashboard } from './dashboard.ts';
import { engines } from './engines.ts';
import { glossary } from './glossary.ts';
import { measures } from './measures.ts';
import { report } from './report.ts';
import { scenarios } from './scenarios.ts';
import { terminal } from './terminal.ts';
import { usage } from './usage.ts';

export const en = {
  ...common,
  ...glossary,
  ...cli,
  ...report,
  ...scenarios,
  ...dashboard,
  ...measures,
  ...engines,
  ...terminal,
  ...usage,
  ...args,
} as const;

export type MessageKey = keyof typeof en;
