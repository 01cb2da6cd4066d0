import type { measures as en } from '../en/measures.ts';
import type { Message } from '../types.ts';

export const measures: Record<keyof typeof en, Message> = {
  'measures.title': 'Performance des feux (ATSPM), dernière heure',
  'measures.laneGroup': 'Groupe de voies',
  'measures.summary':
    'Arrivées sur vert {aog} % (vert {gc} % du temps) · rapport de peloton {rp} · défaillances de vert {sf} sur {cycles} cycles · retard {delay} s par véhicule',
  'measures.pcd.title':
    'Diagramme de coordination de Purdue : arrivées (points), début du vert et du jaune (lignes)',
  'measures.pcd.axis': 'secondes dans le cycle',
  'measures.bins.title': 'Par {bin} min : arrivées sur vert et défaillances de vert',
  'measures.series.aog': 'arrivées sur vert (%)',
  'measures.series.gc': 'temps de vert (%)',
  'measures.series.sf': 'défaillances de vert (%)',
  'measures.unavailable':
    "Pas de mesures pour l'instant : la base ne répond pas, ou ne contient ni historique des feux ni actionnements de détecteurs pour ce carrefour.",
  'measures.zone': 'Heures en {zone}.',
};
