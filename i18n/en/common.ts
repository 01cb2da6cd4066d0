/** Words shared by every output: languages, built-in controller names, units. */
export const common = {
  'lang.name': 'English',
  'lang.switch': 'Language',
  'controller.builtin.fixed-time': 'Fixed-time plan (built-in)',
  'controller.builtin.actuated': 'Actuated (built-in)',
  'controller.builtin.max-pressure': 'Max-pressure (built-in)',
  'controller.builtin.sotl': 'Self-organising (SOTL, built-in)',
  'controller.vendor': 'Vendor controller {id}',
  'unit.seconds': 'seconds',
  'unit.s': '{value} s',
  'unit.minutes': 'minutes',
} as const;
