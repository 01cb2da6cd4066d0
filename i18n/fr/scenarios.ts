import type { scenarios as en } from '../en/scenarios.ts';
import type { Message } from '../types.ts';

export const scenarios: Record<keyof typeof en, Message> = {
  'scenario.two-phase.title': 'un carrefour simple à deux phases',
  'scenario.two-phase.text':
    'Un carrefour, deux phases (nord-sud, est-ouest), une voie par branche, un trafic modéré et régulier. Le cas d’école.',
  'scenario.four-phase-unbalanced.title': 'un carrefour à quatre phases au trafic déséquilibré',
  'scenario.four-phase-unbalanced.text':
    'Un carrefour avec voies séparées de tourne-à-gauche, tout-droit et tourne-à-droite, et quatre phases. L’axe principal porte trois fois le trafic de la rue secondaire, mais le plan de feux fixe donne à chaque phase le même temps de vert, comme un plan non réglé. Un bon contrôleur donne le vert là où sont les véhicules.',
  'scenario.peak-surge.title': 'un carrefour pendant une pointe marquée',
  'scenario.peak-surge.text':
    'Un carrefour pendant une heure de pointe : le trafic nord-sud monte de 500 à 1 900 véhicules par heure et par branche en une demi-heure, au-delà de ce que le plan fixe écoule pendant quelques minutes, puis redescend. Le plan fixe est calé sur la moyenne de l’heure, comme un plan de toute la journée.',
  'scenario.detector-faults.title': 'un carrefour aux détecteurs défaillants',
  'scenario.detector-faults.text':
    'Le carrefour à deux phases avec des pannes de détecteurs programmées : une boucle bloquée occupée, une autre bloquée libre, tout le capteur coupé deux minutes, des comptages bruités, dupliqués ou en retard. Les véhicules sont les mêmes que sans panne ; seul ce que voit le contrôleur change.',
  'scenario.arterial-corridor.title': 'un axe de quatre carrefours',
  'scenario.arterial-corridor.text':
    'Quatre carrefours le long d’un axe à deux voies, à 25 s l’un de l’autre, avec des rues transversales à une voie. Le plan fixe donne à l’axe 38 s sur 66, décalées en onde verte d’ouest en est.',
  'scenario.grid-3x3.title': 'un quadrillage de neuf carrefours',
  'scenario.grid-3x3.text':
    'Neuf carrefours en quadrillage 3 × 3, deux voies par branche, 15 % des véhicules tournant à gauche et 15 % à droite. Temps de vert fixes et égaux sur un cycle de 60 s.',
  'scenario.city.title': 'la ville de démonstration, 25 carrefours',
  'scenario.city.text':
    'Un centre-ville en quadrillage 5 × 5 : 25 carrefours, un trafic modéré qui monte le matin sur les rues est-ouest, une heure simulée.',
};
