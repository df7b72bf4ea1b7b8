/** Signal names and numbers accepted by STOPSIGNAL (moby's `signal.ParseSignal`, Linux table). */
import { DockerfileError } from '../errors.js';

const SIGRTMIN = 34;
const SIGRTMAX = 64;

/**
 * moby/sys `signal.SignalMap` for Linux: the names without `SIG`. The real-time signals are listed
 * one by one there, `RTMIN` to `RTMIN+15` and `RTMAX-14` to `RTMAX`, so `RTMIN+16` or `RTMIN+03`
 * are not names.
 */
const SIGNALS: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>(Object.entries({
    ABRT: 6, ALRM: 14, BUS: 7, CHLD: 17, CLD: 17, CONT: 18, FPE: 8, HUP: 1, ILL: 4, INT: 2, IO: 29, IOT: 6,
    KILL: 9, PIPE: 13, POLL: 29, PROF: 27, PWR: 30, QUIT: 3, SEGV: 11, STKFLT: 16, STOP: 19, SYS: 31, TERM: 15,
    TRAP: 5, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, USR1: 10, USR2: 12, VTALRM: 26, WINCH: 28, XCPU: 24, XFSZ: 25,
  }));
  m.set('RTMIN', SIGRTMIN);
  for (let i = 1; i <= 15; i++) m.set(`RTMIN+${i}`, SIGRTMIN + i);
  for (let i = 14; i >= 1; i--) m.set(`RTMAX-${i}`, SIGRTMAX - i);
  m.set('RTMAX', SIGRTMAX);
  return m;
})();

const INT64_MAX = 2n ** 63n - 1n;

/** Go's `strconv.Atoi` on a 64-bit platform: an optional sign and decimal digits, in int64 range. */
function goAtoi(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n > INT64_MAX || n < -INT64_MAX - 1n ? undefined : n;
}

/**
 * Validates a stop signal the way moby/sys `signal.ParseSignal` does: anything `strconv.Atoi`
 * reads (a sign is allowed) other than 0, or a name of the Linux signal map, with or without
 * `SIG`, in any case. Throws with moby's message otherwise.
 */
export function parseSignal(raw: string): void {
  const n = goAtoi(raw);
  if (n !== undefined) {
    if (n === 0n) throw new DockerfileError('E_STOPSIGNAL', `invalid signal: ${raw}`);
    return;
  }
  const name = raw.toUpperCase();
  if (SIGNALS.has(name.startsWith('SIG') ? name.slice(3) : name)) return;
  throw new DockerfileError('E_STOPSIGNAL', `invalid signal: ${raw}`);
}
