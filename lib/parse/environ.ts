// /proc/PID/environ (proc(5)): the NUL-terminated "NAME=value" strings the process was started with
// (or has since written over them). Taken as they are: a container controls every byte.

/**
 * Splits /proc/PID/environ into its entries, as execve(2) takes them ("NAME=value"; empty ones
 * dropped). Names and values are not checked: an entry without '=' is kept as it is.
 */
export function parseEnviron(text: string): string[] {
  return text.split('\0').filter((kv) => kv.length > 0);
}
