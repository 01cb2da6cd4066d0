import type { cli as en } from '../en/cli.ts';
import type { Message } from '../types.ts';

export const cli: Record<keyof typeof en, Message> = {
  'cli.option.lang':
    'langue des messages et des rapports : en ou fr (par défaut : OPENPHASE_LANG, puis la locale, puis en)',
  'cli.unknownCommand':
    'openphase : commande inconnue « {name} ».{hint} « openphase --help » donne la liste.',
  'cli.didYouMean': ' Vouliez-vous dire « {name} » ?',
  'cli.notBuilt': 'openphase {name} : pas encore disponible dans cette version ({version}).',
};
