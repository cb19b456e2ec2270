/**
 * Fault injection for the tests (test/cli/faults.test.ts): MADNIS_TEST_FAULT=<point>:<signal>
 * makes the run signal itself at that point of its work (e.g. `training:SIGKILL` at the
 * first checkpoint, `prepare:SIGTERM` while MG5 compiles), as a user's kill or a crash
 * would. Without the variable, a fault point does nothing.
 */
let fired = false;

export function faultPoint(point: string): void {
  const spec = process.env.MADNIS_TEST_FAULT;
  if (!spec || fired) return;
  const [name, signal] = spec.split(':');
  if (name !== point) return;
  fired = true;
  process.kill(process.pid, (signal ?? 'SIGKILL') as NodeJS.Signals);
}
