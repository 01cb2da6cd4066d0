/**
 * Usage errors of every command (cli/usage.ts): a flag mistyped, missing or given a bad value.
 * `{command}` is the command line's head, e.g. `openphase measures`.
 */
export const usage = {
  'usage.unknownOption': "{command}: unknown option '{flag}'{hint}",
  'usage.didYouMean': ' (did you mean {name}?)',
  'usage.required': "{command}: required option '{flag}' not specified",
  'usage.argumentMissing': "{command}: option '{flag}' needs a value",
  'usage.choice': "{command}: option '{flag}' cannot be '{value}': give one of {choices}",
  'usage.missingArgument': "{command}: missing required argument '{name}'",
  'usage.tooMany': '{command}: too many arguments (expected {expected}, got {got})',
  'usage.conflict': "{command}: '{first}' cannot be used with '{second}'",
  'usage.unknownCommand': "{command}: unknown command '{name}'{hint}",
} as const;
