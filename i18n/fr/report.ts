import type { report as en } from '../en/report.ts';
import type { Message } from '../types.ts';

export const report: Record<keyof typeof en, Message> = {
  'report.title': 'Banc d’essai de contrôleurs de feux tricolores',
  'report.htmlTitle': 'Banc d’essai OpenPhase : {controllers}',
  'report.runs': { zero: 'aucun passage', one: '{count} passage', other: '{count} passages' },
  'report.count.controllers': { one: '{count} contrôleur', other: '{count} contrôleurs' },
  'report.count.scenarios': { one: '{count} scénario', other: '{count} scénarios' },
  'report.count.seeds': { one: '{count} graine', other: '{count} graines' },
  'report.count.seedsEach': { one: '{count} graine chacun', other: '{count} graines chacun' },
  'report.count.intersections': { one: '{count} carrefour', other: '{count} carrefours' },

  'report.plain.title': 'Ce que cela change dans la rue',
  'report.plain.own': 'Dans vos rues ({where}), les véhicules ont attendu en moyenne {list}.',
  'report.plain.test':
    'Dans le cas d’essai « {where} », les véhicules ont attendu en moyenne {list}.',
  'report.plain.where': '{intersections}, {hours}, {days}',
  'report.plain.allDay': 'toute la journée',
  'report.plain.days': {
    one: '{first}',
    other: 'moyenne de {count} jours du {first} au {last}',
  },
  'report.plain.item': '{delay} s avec {controller}',
  'report.plain.note':
    'L’attente est ici le retard : le temps que chaque véhicule a perdu aux feux, en secondes, en moyenne sur tous les véhicules et toutes les graines.',
  'report.headline.best':
    '{best} a causé le moins de retard : {pct} de moins que le contrôleur de référence, {baseline}, en moyenne sur {scenarios}.',
  'report.headline.none':
    'Aucun contrôleur n’a causé moins de retard que le contrôleur de référence, {baseline}, en moyenne sur {scenarios}.',
  'report.headline.runs': '{controllers} × {scenarios} × {seeds} = {runs}{twins}.',
  'report.headline.twins': ', plus {runs} des jumeaux sans perturbation',
  'report.headline.safe':
    'Aucun passage n’a jamais montré deux mouvements incompatibles au vert en même temps.',
  'report.headline.conflicts': {
    one: 'ATTENTION : des verts incompatibles ont été affichés {count} fois.',
    other: 'ATTENTION : des verts incompatibles ont été affichés {count} fois.',
  },
  'report.line.baseline':
    'le contrôleur de référence : chacun des autres lui est comparé, graine par graine',
  'report.line.same': 'à peu près le même retard que la référence en moyenne',
  'report.line.less': '{pct} de retard en moins que la référence en moyenne',
  'report.line.more': '{pct} de retard en plus que la référence en moyenne',
  'report.line.noClear':
    '{head}, mais pas de différence nette sur aucun des {scenarios} : dans ce que le hasard donne sur ces graines',
  'report.line.onlyMore':
    '{head} ; nettement plus de retard sur {higher} des {scenarios}, nettement moins sur aucun',
  'report.line.someLess': '{head} ; nettement moins de retard sur {lower} des {scenarios}',
  'report.line.andMore': ' et nettement plus sur {higher}',
  'report.line.interventions': {
    zero: 'aucune intervention de sécurité',
    one: '{count} intervention de sécurité ({kinds}) en {runs}',
    other: '{count} interventions de sécurité ({kinds}) en {runs}',
  },
  'report.line.kind': '{kind} : {count}',
  'report.line.missed': {
    zero: 'aucune échéance manquée',
    one: '{count} échéance manquée',
    other: '{count} échéances manquées',
  },
  'report.line.conflicts': {
    one: 'ATTENTION : {count} vert incompatible affiché',
    other: 'ATTENTION : {count} verts incompatibles affichés',
  },
  'report.line.degrSame': '{what} ({scenario}) : pas de différence nette sur son retard',
  'report.line.degrRaised': '{what} ({scenario}) : son retard augmente de {pct}',
  'report.line.degrLowered': '{what} ({scenario}) : son retard baisse de {pct}',
  'report.what.faults': 'les pannes de détecteurs',
  'report.what.surge': 'la pointe de demande',
  'report.clearly':
    '« Nettement » signifie que l’intervalle de confiance à 95 % de l’écart, graine par graine, exclut zéro. Chaque passage compte ; on ne garde pas le meilleur.',

  'override.minGreen': 'vert écourté sous son minimum',
  'override.maxGreen': 'vert prolongé au-delà de son maximum',
  'override.unknownPhase': 'phase inexistante',
  'override.conflict': 'mouvements incompatibles demandés',
  'override.watchdog': 'contrôleur muet (plan de repli)',

  'report.ranking.title': 'Classement',
  'report.col.controller': 'contrôleur',
  'report.col.delayIndex': 'indice de retard',
  'report.col.delayIndexSub': 'référence = 100',
  'report.col.lessMoreSame': 'scénarios avec moins / plus / autant de retard',
  'report.col.interventions': 'interventions de sécurité',
  'report.col.oneRunEach': 'sur un passage de chaque scénario',
  'report.col.missed': 'échéances manquées',
  'report.col.conflicts': 'verts incompatibles',
  'report.col.runs': 'passages',
  'report.col.scenario': 'scénario',
  'report.col.decision': 'temps de décision, ms (médiane / 99e centile)',
  'report.col.extraDelay': 'retard supplémentaire par véhicule',
  'report.col.change': 'variation',
  'report.col.whatItTests': 'ce qu’il met à l’épreuve',
  'report.col.sha': 'empreinte du fichier (SHA-256)',
  'report.col.name': 'nom dans ce rapport',
  'report.col.code': 'contrôleur exécuté',
  'report.reference': 'référence',
  'report.ranking.note':
    'Indice de retard : le retard moyen de chaque contrôleur divisé par celui du contrôleur de référence sur le même scénario, en moyenne sur les scénarios, multiplié par 100 (plus bas, c’est mieux).',

  'report.delay.title': 'Retard par scénario',
  'report.delay.intro':
    'Retard moyen par véhicule, en secondes, sur {seeds} ; les moustaches noires sont les intervalles de confiance à 95 %. Les véhicules encore en attente à la fin comptent avec le retard qu’ils avaient. Plus bas, c’est mieux.',
  'report.delay.bar': '{controller} sur {scenario} : {mean} s [{low}–{high}]',
  'report.delay.aria':
    'retard moyen par véhicule par scénario et par contrôleur, avec intervalles à 95 %',
  'report.delay.note':
    'Sous chaque valeur : l’écart avec le contrôleur de référence, comparé graine par graine ; « pas de différence nette » quand l’intervalle à 95 % de l’écart contient zéro.',
  'report.vs.same': 'pas de différence nette',
  'report.vs.less': '{pct} de moins',
  'report.vs.more': '{pct} de plus',

  'report.queue.title': 'File d’attente au fil du temps : {scenario}',
  'report.queue.intro':
    'Véhicules en attente sur toutes les branches ensemble, graine {seed}. Le contrôleur qui garde cette courbe basse et la fait redescendre vite après une pointe sert le mieux le trafic.',
  'report.queue.unit': 'véhicules en file',
  'report.queue.aria': 'véhicules en file au fil du temps dans {scenario}',
  'report.queue.twin': '{series} est identique à {twin} (en pointillé par-dessus)',

  'report.safety.title': 'Sécurité et échéances',
  'report.safety.intro':
    'Le moniteur de sécurité se tient entre chaque contrôleur et les feux. Quand un contrôleur demande quelque chose de dangereux ou d’invalide — finir un vert avant son minimum, le prolonger au-delà de son maximum, une phase qui n’existe pas, deux mouvements incompatibles — le moniteur refuse et compte une intervention ; quand un contrôleur se tait, il maintient les feux puis, au bout d’un moment, passe au plan de repli. Une échéance manquée est un instant où le contrôleur n’a pas répondu en {deadlineMs} ms. Les verts incompatibles sont vérifiés chaque seconde indépendamment du moniteur et doivent être à zéro.',
  'report.safety.caption': 'Interventions de sécurité par passage, par type.',
  'report.safety.none': 'Aucun contrôleur n’a déclenché d’intervention de sécurité.',
  'report.safety.unit': 'interventions de sécurité par passage',
  'report.safety.aria': 'interventions du moniteur de sécurité par passage, par type',
  'report.deadlines.caption': 'Échéances manquées par passage.',
  'report.deadlines.none': 'Aucun contrôleur n’a manqué d’échéance.',
  'report.deadlines.unit': 'échéances manquées par passage',
  'report.safety.totals': 'Totaux sur tous les passages des scénarios ci-dessus.',
  'report.safety.detail': 'Par scénario : moyennes par passage, et temps de décision',
  'report.safety.decisionNote':
    'Les temps de décision sont mesurés à l’horloge : dans le même processus pour les contrôleurs intégrés, de la publication de l’état des feux à la réception de la décision par MQTT pour les autres.',

  'report.robust.title': 'Robustesse : ce que coûte une panne ou une pointe',
  'report.robust.intro':
    'Chaque scénario avec pannes ou pointe est aussi joué sans perturbation, avec les mêmes graines : pannes de détecteurs retirées (les véhicules sont les mêmes, seul ce que voit le contrôleur change), ou pointe étalée uniformément sur l’heure. L’écart est ce que la panne ou la pointe coûte à chaque contrôleur.',
  'report.robust.withFaults': 'avec pannes de détecteurs',
  'report.robust.withSurge': 'avec la pointe',
  'report.robust.cleanFaults': 'le même trafic, sans panne',
  'report.robust.cleanSurge': 'les mêmes véhicules, étalés sur l’heure',
  'report.robust.heading': '{scenario} : {what}, comparé avec {clean}',
  'report.robust.aria': 'retard dans {scenario} comparé à son jumeau sans perturbation',

  'report.scenarios.title': 'Scénarios',
  'report.scenarios.private':
    'privé : conservé par la ville, montré seulement par son nom et son empreinte',
  'report.scenarios.own': 'construit à partir des comptages enregistrés par la ville',
  'report.scenarios.meta': '({source}, {intersections}, {minutes} min)',
  'report.scenarios.origin':
    'Origine : comptages enregistrés de {intersections} ; {days}, {hours} ({zone}) ; {coverage} du temps des détecteurs couvert ; {filled}',
  'report.scenarios.originMore': {
    one: '{list} et {count} autre',
    other: '{list} et {count} autres',
  },
  'report.scenarios.originFilled': {
    zero: 'aucun trou comblé',
    one: '{count} trou comblé à partir d’autres jours',
    other: '{count} trous comblés à partir d’autres jours',
  },
  'report.source.bundled': 'fourni avec OpenPhase',
  'report.source.file': 'un fichier de scénario',
  'report.source.private': 'privé',

  'report.rerun.title': 'Comment refaire cet essai',
  'report.rerun.text':
    'OpenPhase {version} (protocole {protocol}), Node {node} sur {platform} ; graines {seeds} ; pas à pas synchronisé, échéance {deadlineMs} ms ; {duration} ; broker : {broker}. Commencé le {startedAt}, durée {wallS} s.',
  'report.rerun.parallel': 'Passages simultanés : {n} au plus.',
  'report.rerun.ownDuration': 'la durée propre à chaque scénario',
  'report.rerun.fixedDuration': '{seconds} secondes simulées par passage',
  'report.rerun.note':
    'La même commande avec les mêmes fichiers de scénario (mêmes empreintes) donne le même scorecard.json, à l’heure de début et aux mesures d’horloge près. Méthode : docs/benchmark.md.',
  'report.rerun.names': 'Les noms utilisés dans ce rapport et les contrôleurs qu’ils désignent :',
};
