import type { dashboard as en } from '../en/dashboard.ts';
import type { Message } from '../types.ts';

export const dashboard: Record<keyof typeof en, Message> = {
  'dashboard.title': 'OpenPhase — la ville en direct',
};
