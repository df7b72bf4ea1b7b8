/** Builder flags of one instruction (BuildKit's `BFlags`). */
import { ErrorCode, type ErrorCodeValue } from '../parser/codes.js';
import { none } from '../util/arrays.js';
import { withSuggestion } from '../util/suggest.js';
import { InstructionFailure } from './errors.js';

type FlagType = 'bool' | 'string' | 'strings';

const NO_VALUES: readonly string[] = none();

/** One declared flag and its parsed value. */
export class Flag {
  /** `"true"`/`"false"` for bool flags, the value for string flags. */
  value = '';
  /** Every value of a repeatable flag, in order (a shared empty list until the first). */
  stringValues: readonly string[] = NO_VALUES;

  constructor(
    readonly name: string,
    readonly type: FlagType,
    private readonly owner: BFlags,
  ) {}

  /** Whether the flag was given on the instruction. */
  isUsed(): boolean {
    return this.owner.isUsed(this.name);
  }

  /** For bool flags: whether the value is `true`. */
  isTrue(): boolean {
    return this.value === 'true';
  }
}

/**
 * Declare the flags an instruction accepts with `addBool`/`addString`/`addStrings`, then call
 * {@link parse}, which validates the raw `--name[=value]` words with BuildKit's messages.
 */
export class BFlags {
  /**
   * The declared flags by name. Most instructions are written without flags: they need no
   * table, only the Flag objects with their defaults (every instruction makes these, so they
   * are kept small).
   */
  private readonly flags: Map<string, Flag> | undefined;
  /** Flags given on the instruction, in order of first use (made on the first). */
  private usedFlags: Map<string, Flag> | undefined;

  constructor(readonly args: readonly string[]) {
    this.flags = args.length > 0 ? new Map() : undefined;
  }

  /** Flags given on the instruction, in order of first use. */
  get used(): ReadonlyMap<string, Flag> {
    return this.usedFlags ?? new Map();
  }

  /** Whether the flag `name` was given. */
  isUsed(name: string): boolean {
    return this.usedFlags !== undefined && this.usedFlags.has(name);
  }

  private add(name: string, type: FlagType): Flag {
    const f = new Flag(name, type, this);
    this.flags?.set(name, f);
    return f;
  }

  addBool(name: string, def: boolean): Flag {
    const f = this.add(name, 'bool');
    f.value = def ? 'true' : 'false';
    return f;
  }

  addString(name: string, def: string): Flag {
    const f = this.add(name, 'string');
    f.value = def;
    return f;
  }

  addStrings(name: string): Flag {
    return this.add(name, 'strings');
  }

  /** Names of the flags that were given. */
  usedNames(): string[] {
    return this.usedFlags ? [...this.usedFlags.keys()] : [];
  }

  /** Parses the raw flags; throws {@link InstructionFailure} with BuildKit's message. */
  parse(): void {
    const fail = (code: ErrorCodeValue, msg: string): never => {
      throw new InstructionFailure(code, msg);
    };
    for (const a of this.args) {
      if (a === '--') return;
      if (!a.startsWith('--')) fail(ErrorCode.Flag, `arg should start with -- : ${a}`);
      const eq = a.indexOf('=');
      const flagName = eq < 0 ? a : a.slice(0, eq);
      const value = eq < 0 ? '' : a.slice(eq + 1);
      const hasValue = eq >= 0;
      const arg = flagName.slice(2);
      const flag = this.flags!.get(arg);
      if (!flag) {
        fail(ErrorCode.UnknownFlag, withSuggestion(`unknown flag: ${flagName}`, arg, [...this.flags!.keys()], true));
      }
      if (this.isUsed(arg) && flag!.type !== 'strings') fail(ErrorCode.Flag, `duplicate flag specified: ${flagName}`);
      (this.usedFlags ??= new Map()).set(arg, flag!);
      switch (flag!.type) {
        case 'bool':
          if (hasValue && value === '') fail(ErrorCode.Flag, `missing a value on flag: ${flagName}`);
          switch (value.toLowerCase()) {
            case 'true':
            case '':
              flag!.value = 'true';
              break;
            case 'false':
              flag!.value = 'false';
              break;
            default:
              fail(ErrorCode.Flag, `expecting boolean value for flag ${flagName}, not: ${value}`);
          }
          break;
        case 'string':
          if (!hasValue) fail(ErrorCode.Flag, `missing a value on flag: ${flagName}`);
          flag!.value = value;
          break;
        case 'strings':
          if (!hasValue) fail(ErrorCode.Flag, `missing a value on flag: ${flagName}`);
          if (flag!.stringValues === NO_VALUES) flag!.stringValues = [value];
          else (flag!.stringValues as string[]).push(value);
          break;
      }
    }
  }
}
