/**
 * What the conversion records for `outline` (BuildKit's `outlineCapture` in
 * `dockerfile2llb/outline.go`): every ARG with its value, description and location, which ARGs a
 * stage uses, and the secrets and SSH sockets its RUN mounts ask for. Each stage has its own
 * capture, cloned from the global one (or its base stage's) when the stage is registered.
 */
import type { SourceLocation } from '../errors.js';

/** An ARG as the outline reports it. */
export interface ArgInfo {
  readonly key: string;
  /** The value after build args and expansion; `''` when the ARG has none. */
  readonly value: string;
  /** The `# NAME description` comment above the ARG. */
  readonly comment: string;
  readonly location: SourceLocation;
  /** Global ARGs this one's default reads (global ARGs only). */
  readonly deps?: ReadonlySet<string>;
}

/** A secret or SSH socket a RUN mount asks for. */
export interface MountInfo {
  readonly required: boolean;
  readonly location: SourceLocation;
}

export class OutlineCapture {
  readonly allArgs: Map<string, ArgInfo>;
  readonly usedArgs: Set<string>;
  readonly secrets: Map<string, MountInfo>;
  readonly ssh: Map<string, MountInfo>;

  constructor(from?: OutlineCapture) {
    this.allArgs = new Map(from?.allArgs);
    this.usedArgs = new Set(from?.usedArgs);
    this.secrets = new Map(from?.secrets);
    this.ssh = new Map(from?.ssh);
  }

  clone(): OutlineCapture {
    return new OutlineCapture(this);
  }

  /** Marks `keys` used, and the global ARGs their defaults read, transitively. */
  markAllUsed(keys: Iterable<string>, seen = new Set<string>()): void {
    for (const k of [...keys]) {
      if (seen.has(k)) continue;
      seen.add(k);
      const deps = this.allArgs.get(k)?.deps;
      if (deps) this.markAllUsed(deps, seen);
      this.usedArgs.add(k);
    }
  }

  /** Records a secret mount (the first mount of an id wins, as in BuildKit). */
  addSecret(id: string, required: boolean, location: SourceLocation): void {
    if (!this.secrets.has(id)) this.secrets.set(id, { required, location });
  }

  /** Records an SSH mount; an empty id is `default`. */
  addSSH(id: string, required: boolean, location: SourceLocation): void {
    const key = id === '' ? 'default' : id;
    if (!this.ssh.has(key)) this.ssh.set(key, { required, location });
  }
}
