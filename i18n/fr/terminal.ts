/**
 * Ce que les commandes affichent dans un terminal pour une personne : tableaux de plans et de
 * mesures, avancement du banc d’essai et consignes au fournisseur, erreurs de moteur du banc.
 */
import type { terminal as en } from '../en/terminal.ts';
import type { Message } from '../types.ts';

export const terminal: Record<keyof typeof en, Message> = {
  'cli.note': 'remarque : {text}',
  'fromStore.needConfigs':
    'donnez les configurations des carrefours : une seule source parmi --config-dir, --config et --mqtt',
  'fromStore.skipped': 'openphase scenario : configuration invalide ignorée : {what}',
  'fromStore.skippedOf': 'openphase scenario : configuration invalide ignorée pour {what}',
  'fromStore.noConfig': 'pas de configuration pour {ids}',
  'fromStore.zones':
    'les carrefours indiquent des fuseaux horaires différents ({zones}) : construisez un scénario par fuseau (--intersection)',
  'fromStore.coverage':
    'couverture : comptages stockés sur {pct} % du temps des détecteurs utilisés, les jours choisis (jours en {zone})',
  'fromStore.filled':
    'complété : {where} {date} {from}–{to} à partir des mêmes tranches horaires du {days}',
  'fromStore.interpolated':
    'interpolé : {where} {date} {from}–{to} (aucun autre jour n’avait ces tranches horaires)',
  'fromStore.saturated':
    'ligne d’arrêt saturée : {intersection} {laneGroup} {date} {from}–{to} au débit de décharge {discharge} véh/h : {counted} véhicules comptés, {arrivals} arrivées estimées{lowerBound}',
  'fromStore.lowerBound': ' (au moins : la période va jusqu’à la fin des données)',
  'fromStore.wrote': 'openphase scenario : {path} écrit : {intersections}, {movements}',
  'fromStore.intersections': { one: '{count} carrefour', other: '{count} carrefours' },
  'fromStore.movements': { one: '{count} mouvement', other: '{count} mouvements' },
  'conformance.either': 'donnez soit --controller mqtt:ID, soit --sensor ID',
  'conformance.head': 'conformité de {subject} (protocole v1)',
  'conformance.sensor': 'capteur {id}',
  'conformance.mark.pass': 'RÉUSSI',
  'conformance.mark.fail': 'ÉCHEC',
  'conformance.mark.skip': 'NON FAIT',
  'conformance.passed': {
    one: '{count} contrôle réussi',
    other: 'les {count} contrôles ont réussi',
  },
  'conformance.skipped': { one: ' ({count} non fait)', other: ' ({count} non faits)' },
  'conformance.failed': {
    one: '{count} contrôle sur {total} en ÉCHEC',
    other: '{count} contrôles sur {total} en ÉCHEC',
  },
  'cli.needConfig': 'donnez la configuration du carrefour : --config FICHIER ou --mqtt URL',

  'plan.zone': 'heures : heure légale locale, fuseau {zone}',
  'plan.col.from': 'de',
  'plan.col.to': 'à',
  'plan.col.cycle': 'cycle',
  'plan.col.green': 'vert {phase} s',
  'plan.col.y': 'Y',
  'plan.col.data': 'données',
  'plan.days': { one: '{count} j', other: '{count} j' },
  'plan.noCounts':
    'openphase plan : aucun comptage pour « {intersection} » entre les heures données',

  'mtable.head': 'carrefour {intersection}, du {from} au {to} (heure légale locale, fuseau {zone})',
  'mtable.volume': 'Trafic par branche',
  'mtable.col.approach': 'branche',
  'mtable.col.vehicles': 'véhicules',
  'mtable.col.vph': 'véh/h',
  'mtable.col.detectors': 'détecteurs',
  'mtable.laneGroups': 'Groupes de voies',
  'mtable.col.laneGroup': 'groupe de voies',
  'mtable.col.phases': 'phases',
  'mtable.col.arrivals': 'arrivées',
  'mtable.col.onGreen': 'sur vert',
  'mtable.col.gc': 'vert/cycle',
  'mtable.col.platoon': 'rapport de peloton',
  'mtable.col.delay': 'retard s/véh',
  'mtable.col.splitFailures': 'défaillances de vert',
  'mtable.col.yellowAct': 'act. au jaune',
  'mtable.col.redAct': 'act. au rouge',
  'mtable.severe': '{red} ({severe} graves)',
  'mtable.termination':
    'Fin des phases (fin faute de véhicules et fin forcée ne se distinguent pas dans les données stockées)',
  'mtable.col.phase': 'phase',
  'mtable.col.greens': 'verts',
  'mtable.col.maxOut': 'vert max atteint',
  'mtable.col.gapOrForce': 'fin faute de véhicules ou forcée',
  'mtable.col.meanGreen': 'vert moyen s',
  'mtable.bins': 'Par {bin} min ({zone})',
  'mtable.col.binFrom': 'début',
  'mtable.col.binVeh': '{approach} véh',
  'mtable.col.binAog': '{laneGroup} % sur vert',
  'mtable.col.binSf': '{laneGroup} déf. vert',

  'progress.line': 'bench : {done}/{total} {run}',
  'progress.note': 'bench : {line}',
  'progress.run': '{controller} {scenario}{clean} graine {seed}{running}',
  'progress.clean': ' (sans perturbation)',
  'progress.running': ' ({count} en cours)',
  'progress.bar': 'bench {bar} {value}/{total} passages | reste {eta} | {run}',
  'progress.starting': 'démarrage',
  'vendor.credential':
    'mqtt:{id} : démarrez maintenant votre contrôleur avec l’adresse du broker et l’identifiant du fichier {file} (à lire avec : set -a; . {file}; set +a). Il est supprimé à la fin du banc d’essai.',
  'vendor.external':
    'mqtt:{id} : votre contrôleur doit être connecté à {url} (racine « {root} ») avec son propre identifiant.',
  'vendor.connected': 'mqtt:{id} : connecté',
  'vendor.noConnect': 'mqtt:{id} ne s’est pas connecté en {seconds} s',
  'vendor.noJanitor':
    'impossible d’effacer les messages retenus entre les passages ({message}) ; on continue',
  'engines.error.none': '--engine demande au moins un nom de moteur',
  'engines.error.unknown': '--engine : moteur inconnu « {name} » (moteurs : {known})',
};
