import type { usage as en } from '../en/usage.ts';
import type { Message } from '../types.ts';

export const usage: Record<keyof typeof en, Message> = {
  'usage.unknownOption': '{command} : option inconnue « {flag} »{hint}',
  'usage.didYouMean': ' (vouliez-vous dire {name} ?)',
  'usage.required': '{command} : l’option obligatoire « {flag} » manque',
  'usage.argumentMissing': '{command} : l’option « {flag} » attend une valeur',
  'usage.choice':
    '{command} : l’option « {flag} » ne peut pas valoir « {value} » : donnez l’une de ces valeurs : {choices}',
  'usage.missingArgument': '{command} : l’argument obligatoire « {name} » manque',
  'usage.tooMany': '{command} : trop d’arguments ({expected} attendus, {got} donnés)',
  'usage.conflict': '{command} : « {first} » et « {second} » ne vont pas ensemble',
  'usage.unknownCommand': '{command} : commande inconnue « {name} »{hint}',
};
