import type { common as en } from '../en/common.ts';
import type { Message } from '../types.ts';

export const common: Record<keyof typeof en, Message> = {
  'lang.name': 'Français',
  'lang.switch': 'Langue',
  'controller.builtin.fixed-time': 'Plan de feux fixe (intégré)',
  'controller.builtin.actuated': 'Régulation sur détecteurs (intégrée)',
  'controller.builtin.max-pressure': 'Pression maximale (intégrée)',
  'controller.builtin.sotl': 'Auto-organisé (SOTL, intégré)',
  'controller.vendor': 'Contrôleur du fournisseur {id}',
  'unit.seconds': 'secondes',
  'unit.s': '{value} s',
  'unit.minutes': 'minutes',
};
