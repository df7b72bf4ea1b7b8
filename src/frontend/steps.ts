/**
 * Step names: what BuildKit shows for each step of a stage (`[stage 2/5] RUN …`), and the
 * instruction text they are made of.
 */
import { formatPlatformAll } from '../image/platform.js';
import type { Platform } from '../image/types.js';
import type { EnvGetter, ShellLex } from '../shell/index.js';
import type { DispatchState } from './dispatch-state.js';
import { formatTargetPlatform, platformFromEnv } from './platform.js';

/** Upper-cases the first word (the instruction keyword). */
export function uppercaseCmd(s: string): string {
  const i = s.indexOf(' ');
  return i < 0 ? s.toUpperCase() : s.slice(0, i).toUpperCase() + s.slice(i);
}

/** Expands variables in a step name, keeping it as written when expansion fails. */
export function processCmdEnv(shlex: ShellLex, cmd: string, env: EnvGetter): string {
  try {
    return shlex.processWord(cmd, env).result;
  } catch {
    return cmd;
  }
}

/**
 * The step name shown by BuildKit: `[stage 2/5] RUN …` (with the platform for multi-platform
 * builds). Advances the stage's step counter.
 */
export function prefixCommand(ds: DispatchState, str: string, prefixPlatform: boolean, platform: Platform | undefined, env: EnvGetter): string {
  if (ds.cmdTotal === 0) return str;
  let out = '[';
  if (prefixPlatform && platform) out += `${formatPlatformAll(platform)}${formatTargetPlatform(platform, platformFromEnv(env))} `;
  if (ds.stageName !== '') out += `${ds.stageName} `;
  ds.cmdIndex++;
  const width = Math.floor(1 + Math.log10(ds.cmdTotal));
  out += `${String(ds.cmdIndex).padStart(width)}/${ds.cmdTotal}] `;
  if (ds.cmdIsOnBuild) out += 'ONBUILD ';
  return out + str;
}
