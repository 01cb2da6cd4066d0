/** The French catalog: the same keys as ../en/ (the compiler and tests/unit/i18n-catalogs check). */
import type { MessageKey } from '../en/index.ts';
import type { Message } from '../types.ts';
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

export const fr: Record<MessageKey, Message> = {
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
};
