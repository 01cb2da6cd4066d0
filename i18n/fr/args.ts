import type { args as en } from '../en/args.ts';
import type { Message } from '../types.ts';

export const args: Record<keyof typeof en, Message> = {
  'args.time':
    '{flag} : « {value} » n’est pas une date : donnez AAAA-MM-JJ, AAAA-MM-JJ HH:MM (heure locale, {zone}), une heure ISO avec son décalage, ou des millisecondes epoch',
  'args.isoTime': '{flag} : « {value} » n’est ni une date ISO ni des millisecondes epoch',
  'args.day': '{flag} : « {value} » n’est pas une date comme 2026-03-02',
  'args.hours': '{flag} : « {value} » n’est pas une plage horaire comme 06:00-10:00',
  'args.timeZone':
    '{flag} : « {value} » n’est pas un fuseau horaire IANA (par exemple Europe/Paris, America/New_York, UTC)',
  'args.period':
    '{flag} : « {value} » n’est pas une période comme 15m, 30m ou 1h qui divise la journée',
  'args.wholeMinutes': '{flag} doit être un nombre entier de minutes (15m, 30m, 1h)',
  'args.range': '{flag} doit être un nombre de {min} à {max}, reçu « {value} »',
  'args.turning': '--turning : « {part} » ne s’écrit pas comme left=0.15',
  'args.toAfterFrom': '--to doit être postérieur à --from',
  'args.tooLong': 'la période dépasse {days} jours : demandez moins de jours à la fois',
  'args.unreadable': '{flag} {file} : lecture impossible ({reason})',
  'args.reason.ENOENT': 'fichier introuvable',
  'args.reason.EACCES': 'permission refusée',
  'args.reason.EISDIR': 'c’est un dossier, pas un fichier',
  'args.reason.ENOTDIR': 'une partie du chemin n’est pas un dossier',
  'args.notParsed': '{flag} {file} : {format} non valide ({detail})',
};
