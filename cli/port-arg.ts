/**
 * The parser of every port flag. A port above 65535 used to reach `listen()` and come back as
 * Node's "options.port should be >= 0 and < 65536. Received type number (99999)."
 */

/** `--port abc` and `--port 99999` refused in plain words; 0 asks for any free port. */
export const portArg =
  (flag: string, min = 0) =>
  (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > 65535)
      throw new Error(`${flag} must be a port number from ${min} to 65535, got '${value}'`);
    return n;
  };
