/** Signal names and numbers accepted by STOPSIGNAL (moby's `signal.ParseSignal`, Linux table). */
import { DockerfileError } from '../errors.js';

const SIGNALS: Readonly<Record<string, number>> = {
  ABRT: 6, ALRM: 14, BUS: 7, CHLD: 17, CLD: 17, CONT: 18, FPE: 8, HUP: 1, ILL: 4, INT: 2, IO: 29, IOT: 6,
  KILL: 9, PIPE: 13, POLL: 29, PROF: 27, PWR: 30, QUIT: 3, SEGV: 11, STKFLT: 16, STOP: 19, SYS: 31, TERM: 15,
  TRAP: 5, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, USR1: 10, USR2: 12, VTALRM: 26, WINCH: 28, XCPU: 24, XFSZ: 25,
};

const SIGRTMIN = 34;
const SIGRTMAX = 64;

/**
 * Validates a stop signal: a number, a name with or without `SIG`, or `RTMIN+n`/`RTMAX-n`.
 * Returns its number; throws with moby's message otherwise.
 */
export function parseSignal(raw: string): number {
  if (/^[0-9]+$/.test(raw)) {
    const n = Number(raw);
    if (n === 0) throw new DockerfileError('E_STOPSIGNAL', `invalid signal: ${raw}`);
    return n;
  }
  const name = raw.toUpperCase().replace(/^SIG/, '');
  if (Object.hasOwn(SIGNALS, name)) return SIGNALS[name];
  const rt = /^RT(MIN|MAX)([+-][0-9]+)?$/.exec(name);
  if (rt) {
    const n = (rt[1] === 'MIN' ? SIGRTMIN : SIGRTMAX) + Number(rt[2] ?? 0);
    if (n >= SIGRTMIN && n <= SIGRTMAX) return n;
  }
  throw new DockerfileError('E_STOPSIGNAL', `invalid signal: ${raw}`);
}
