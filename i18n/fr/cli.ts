import type { cli as en } from '../en/cli.ts';
import type { Message } from '../types.ts';

export const cli: Record<keyof typeof en, Message> = {
  'cli.option.lang':
    'langue des messages et des rapports : en ou fr (par défaut : OPENPHASE_LANG, puis la locale, puis en)',
  'cli.unknownCommand':
    'openphase : commande inconnue « {name} ».{hint} « openphase --help » donne la liste.',
  'cli.didYouMean': ' Vouliez-vous dire « {name} » ?',
  'cli.notBuilt': 'openphase {name} : pas encore disponible dans cette version ({version}).',
  'cli.bench.wroteReport': 'bench : {path} écrit',
  'cli.bench.wrote': 'bench : {scorecard} et {report} écrits',
  'cli.bench.rankingHead':
    'bench : classement (indice de retard : la référence = 100, plus bas c’est mieux ; interventions de sécurité et échéances manquées : sur un passage de chaque scénario, moyenne sur les graines) :',
  'cli.bench.rankingLine':
    '{rank}. {name}  indice de retard {index}  interventions de sécurité {overrides}  échéances manquées {missed}  verts incompatibles {conflicts}',
  'cli.bench.invalidScenario': 'openphase bench : le scénario {source} n’est pas valide :',
  'cli.bench.stopping': 'arrêt…',
  'cli.bench.runs': '{total} passages, {parallel} au plus en même temps',
  'cli.label.format':
    '--label « {value} » : écrivez --label CONTRÔLEUR="Nom affiché", par exemple --label mqtt:acme="Acme SmartSignal 2.1"',
  'cli.label.unknown':
    '--label {controller} : ne fait pas partie des contrôleurs de cet essai ({known})',
  'cli.label.twice': '--label {controller} : donné deux fois',
};
