import type { report as en } from '../en/report.ts';
import type { Message } from '../types.ts';

export const report: Record<keyof typeof en, Message> = {
  'report.title': 'Banc d’essai de contrôleurs de feux tricolores',
  'report.runs': { zero: 'aucun passage', one: '{count} passage', other: '{count} passages' },
};
