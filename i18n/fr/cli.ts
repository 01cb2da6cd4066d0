import type { cli as en } from '../en/cli.ts';
import type { Message } from '../types.ts';

export const cli: Record<keyof typeof en, Message> = {
  'cli.option.lang':
    'langue des messages et des rapports : en ou fr (par défaut : OPENPHASE_LANG, puis la locale, puis en)',
  'cli.unknownCommand':
    'openphase : commande inconnue « {name} ».{hint} « openphase --help » donne la liste.',
  'cli.didYouMean': ' Vouliez-vous dire « {name} » ?',
  'cli.failed': '{command} : {message}',
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
  'cli.sim.head': 'scénario {scenario}  graine {seed}  contrôleur {controller}{engine}',
  'cli.sim.engine': '  moteur {engine}',
  'cli.sim.vehicles': 'véhicules  arrivés {arrived}  écoulés {served}  en file à la fin {queued}',
  'cli.sim.delay': 'retard     moyen {mean} s  95e centile {p95} s  attente max. {max} s',
  'cli.sim.queue': 'file       moyenne {mean} véh.  max. {max} véh. (par branche)',
  'cli.sim.flow':
    'débit      {vph} véh./h écoulés  arrêts/véhicule {stops}  changements de phase/h {changes}',
  'cli.sim.safety':
    'sécurité   interventions {overrides}  échéances manquées {missed}  temps de décision médian {p50} ms 99e centile {p99} ms',
  'cli.sim.perHead': 'carrefour           arrivés  retard s  95e c. s  file',
  'cli.sim.over': 'simulate : {scenario} par {url} ({mode})',
  'cli.sim.lockstep': 'pas à pas synchronisé',
  'cli.sim.realtime': 'temps réel ×{speed}',
  'cli.sim.invalidScenario': 'openphase simulate : le scénario {source} n’est pas valide :',
  'cli.sim.noDecision':
    'openphase simulate : AUCUNE DÉCISION REÇUE d’aucun contrôleur pendant tout le passage : chaque carrefour a fonctionné sur son plan de repli, et les mesures ci-dessus sont celles de ce plan, pas d’un contrôleur. Vérifiez qu’un contrôleur est connecté à ce broker, sert ces carrefours (même --root) et répond aux états de feux plus récents que ceux qu’il a vus.',
};
