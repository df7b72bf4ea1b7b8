/**
 * Step names: what BuildKit shows for each step of a stage (`[stage 2/5] RUN …`), and the
 * instruction text they are made of.
 */
import { formatPlatformAll } from '../image/platform.js';
import type { Platform } from '../image/types.js';
import type { EnvGetter, ShellLex } from '../shell/index.js';
import { formatTargetPlatform, platformFromEnv } from './platform.js';

/** Upper-cases the first word (the instruction keyword). */
export function uppercaseCmd(s: string): string {
  const i = s.indexOf(' ');
  if (i < 0) return s.toUpperCase();
  const word = s.slice(0, i);
  const upper = word.toUpperCase();
  // Usually written upper-case already: then the line is its own result.
  return upper === word ? s : upper + s.slice(i);
}

/** Expands variables in a step name, keeping it as written when expansion fails. */
export function processCmdEnv(shlex: ShellLex, cmd: string, env: EnvGetter): string {
  try {
    return shlex.expandPlain(cmd) ?? shlex.processWord(cmd, env).result;
  } catch {
    return cmd;
  }
}

/** A numbered step of a stage: its number and the stage's step count when it took it. */
export interface Step {
  readonly number: number;
  readonly total: number;
}

/**
 * The numbered steps of a stage (BuildKit's `cmdIndex`/`cmdTotal`). A stage counts its FROM (of an
 * image, not of another stage), its ADD, COPY, RUN and WORKDIR instructions and the ONBUILD
 * triggers it inherits ({@link add}); each step that shows a number takes it with {@link next},
 * once: a step with two vertices (a linked COPY and its merge) names both from the same
 * {@link Step}. Numbers only go up; nothing gives one back.
 */
export class StepCounter {
  private count = 0;
  private taken = 0;

  /** The steps the stage has, as known so far. */
  get total(): number {
    return this.count;
  }

  /** Counts `n` more steps: the stage's own when it is set up, inherited ONBUILD triggers later. */
  add(n: number): void {
    this.count += n;
  }

  /**
   * Takes the next step number, with the total as known now; `undefined` when the stage counts no
   * steps (its step names then carry no prefix, as in BuildKit).
   */
  next(): Step | undefined {
    if (this.count === 0) return undefined;
    this.taken++;
    return { number: this.taken, total: this.count };
  }
}

/** What a step name shows besides the step number. */
export interface StepNameOptions {
  /** The stage's name (`''` for the only stage of a Dockerfile, which shows none). */
  readonly stageName: string;
  /** The step comes from an ONBUILD trigger. */
  readonly isOnBuild: boolean;
  /** The platform, shown in multi-platform builds only (`undefined` otherwise). */
  readonly platform: Platform | undefined;
  /** The stage's variables: TARGETPLATFORM, when it differs from the platform, is shown too. */
  readonly env: EnvGetter;
}

/**
 * The step name shown by BuildKit (its `prefixCommand`): `[stage 2/5] RUN …`, with the platform
 * for multi-platform builds; `name` alone for a stage that counts no steps.
 */
export function stepName(step: Step | undefined, name: string, o: StepNameOptions): string {
  if (!step) return name;
  let out = '[';
  if (o.platform) out += `${formatPlatformAll(o.platform)}${formatTargetPlatform(o.platform, platformFromEnv(o.env))} `;
  if (o.stageName !== '') out += `${o.stageName} `;
  const width = Math.floor(1 + Math.log10(step.total));
  out += `${String(step.number).padStart(width)}/${step.total}] `;
  if (o.isOnBuild) out += 'ONBUILD ';
  return out + name;
}
