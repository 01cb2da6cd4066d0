import type { glossary as en } from '../en/glossary.ts';
import type { Message } from '../types.ts';

export const glossary: Record<keyof typeof en, Message> = {
  'glossary.title': 'Les termes de ce rapport',
  'glossary.seed.term': 'graine (tirage)',
  'glossary.seed.text':
    'un nombre qui fixe le tirage au sort des véhicules : avec la même graine, chaque contrôleur voit exactement les mêmes voitures aux mêmes instants, la comparaison est donc équitable. Plusieurs graines, ce sont plusieurs journées différentes mais également probables.',
  'glossary.delay.term': 'retard',
  'glossary.delay.text':
    'le temps qu’un véhicule a perdu aux feux par rapport à un passage au vert à la vitesse autorisée, en secondes par véhicule.',
  'glossary.delayIndex.term': 'indice de retard',
  'glossary.delayIndex.text':
    'le retard moyen d’un contrôleur divisé par celui du contrôleur de référence sur les mêmes scénarios, multiplié par 100 : 100 signifie autant, 80 signifie 20 % d’attente en moins.',
  'glossary.baseline.term': 'contrôleur de référence',
  'glossary.baseline.text':
    'le contrôleur auquel chacun des autres est comparé, graine par graine ; par défaut la régulation sur détecteurs intégrée, celle que la plupart des villes utilisent déjà.',
  'glossary.ci.term': 'intervalle de confiance',
  'glossary.ci.text':
    'la fourchette dans laquelle se trouve la vraie moyenne avec 95 % de certitude, compte tenu des écarts entre graines. Quand l’intervalle d’un écart contient zéro, cet écart peut être dû au hasard : le rapport indique alors « pas de différence nette ».',
  'glossary.scenario.term': 'scénario',
  'glossary.scenario.text':
    'un plan de carrefours avec son trafic sur une période (par exemple une pointe du soir), soit un cas d’école, soit construit à partir des comptages de la ville.',
  'glossary.run.term': 'passage',
  'glossary.run.text': 'une simulation d’un scénario avec une graine et un contrôleur.',
  'glossary.safety.term': 'intervention de sécurité',
  'glossary.safety.text':
    'le moniteur de sécurité indépendant a refusé une demande du contrôleur (un vert trop court ou trop long, une phase inconnue, deux mouvements incompatibles) ou a pris la main quand le contrôleur ne répondait plus. Chacune compte contre le contrôleur.',
  'glossary.deadline.term': 'échéance manquée',
  'glossary.deadline.text':
    'un instant où le contrôleur n’a pas répondu à temps ; les feux ont alors gardé leur état.',
  'glossary.conflict.term': 'verts incompatibles',
  'glossary.conflict.text':
    'deux mouvements qui se croisent mis au vert en même temps. Vérifié à chaque seconde indépendamment du moniteur ; doit toujours être zéro.',
  'glossary.twin.term': 'jumeau sans perturbation',
  'glossary.twin.text':
    'le même scénario sans ses pannes de détecteurs ni sa pointe soudaine de demande, pour mesurer ce que la panne ou la pointe coûte.',
};
