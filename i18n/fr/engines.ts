/** Les sections « moteurs comparés » et « sensibilité » du rapport (bench/report/engines.ts). */
import type { engines as en } from '../en/engines.ts';
import type { Message } from '../types.ts';

export const engines: Record<keyof typeof en, Message> = {
  'engine.openphase': 'OpenPhase',
  'engine.sumo': 'SUMO',
  'engines.title': 'Moteurs de simulation comparés',
  'engines.intro':
    'Chaque passage a été refait sur chaque moteur de simulation, avec les mêmes véhicules, les mêmes contrôleurs et les mêmes graines. {reference} est le moteur de référence. Un classement défendable par une ville est un classement sur lequel les moteurs s’accordent.',
  'engines.rankingCaption':
    'Classement sur chaque moteur (indice de retard, référence = 100 ; plus bas est meilleur)',
  'engines.rank': 'rang',
  'engines.tau':
    'τ de Kendall entre {reference} et {engine} sur le retard moyen de chaque contrôleur × scénario : {tau} (1 = même ordre, 0 = sans rapport). Paires de contrôleurs dans un ordre différent : {differing} ; dans un ordre nettement opposé (les deux intervalles à 95 % excluent zéro) : {opposite}.',
  'engines.pairsCaption':
    'Chaque paire de contrôleurs : lequel a le moins de retard sur chaque moteur',
  'engines.pair': 'paire',
  'engines.scenario': 'scénario',
  'engines.overall': 'classement général',
  'engines.verdict': 'verdict',
  'engines.same': 'même ordre',
  'engines.differs': 'ordre différent',
  'engines.opposite': 'nettement opposé',
  'engines.tie': 'égalité',
  'engines.unclear': '(pas de différence nette)',
  'engines.noneDiffer': 'Les deux moteurs classent chaque paire de contrôleurs dans le même ordre.',
  'engines.someDiffer': {
    one: '{count} paire de contrôleurs est dans un ordre différent selon le moteur : signalée ci-dessous.',
    other:
      '{count} paires de contrôleurs sont dans un ordre différent selon le moteur : signalées ci-dessous.',
  },
  'sensitivity.title': 'Un verdict dépend-il d’un choix de modélisation ?',
  'sensitivity.intro':
    'Une simulation suppose un comportement des conducteurs. Le banc d’essai a refait chaque passage sur {engine} avec {parameter} aux bornes de sa plage observée sur le terrain ({values}) et vérifie, pour chaque paire de contrôleurs et chaque scénario, si l’ordre tient.',
  'sensitivity.parameter.drivers.yellowUsedS':
    'les secondes de jaune encore utilisées par les conducteurs',
  'sensitivity.holds': 'tient',
  'sensitivity.hinges': 'dépend de l’hypothèse',
  'sensitivity.at': 'à {value} s',
  'sensitivity.none':
    'Chaque verdict tient sur toute la plage : aucun ordre entre deux contrôleurs ne change.',
  'sensitivity.some': {
    one: '{count} verdict dépend de ce choix de modélisation : à considérer comme indécis.',
    other: '{count} verdicts dépendent de ce choix de modélisation : à considérer comme indécis.',
  },
  'cli.bench.sensitivity':
    'bench : sensibilité : chaque contrôleur intégré à nouveau sur le moteur d’OpenPhase avec le jaune utilisé par les conducteurs à {values} s',
  'sensitivity.notRun':
    'Non vérifié lors de ce passage : `openphase bench --sensitivity` refait chaque passage avec le jaune utilisé aux bornes de sa plage et indique quels verdicts en dépendent.',
};
