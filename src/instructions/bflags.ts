/** Builder flags of one instruction (BuildKit's `BFlags`). */
import { ErrorCode, type ErrorCodeValue } from '../parser/codes.js';
import { withSuggestion } from '../util/suggest.js';
import { InstructionFailure } from './errors.js';

type FlagType = 'bool' | 'string' | 'strings';

/** One declared flag and its parsed value. */
export class Flag {
  /** `"true"`/`"false"` for bool flags, the value for string flags. */
  value = '';
  /** Every value of a repeatable flag, in order. */
  readonly stringValues: string[] = [];

  constructor(
    readonly name: string,
    readonly type: FlagType,
    private readonly owner: BFlags,
  ) {}

  /** Whether the flag was given on the instruction. */
  isUsed(): boolean {
    return this.owner.used.has(this.name);
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
  private readonly flags = new Map<string, Flag>();
  /** Flags given on the instruction, in order of first use. */
  readonly used = new Map<string, Flag>();

  constructor(readonly args: readonly string[]) {}

  private add(name: string, type: FlagType): Flag {
    const f = new Flag(name, type, this);
    this.flags.set(name, f);
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
    return [...this.used.keys()];
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
      const flag = this.flags.get(arg);
      if (!flag) {
        fail(ErrorCode.UnknownFlag, withSuggestion(`unknown flag: ${flagName}`, arg, [...this.flags.keys()], true));
      }
      if (this.used.has(arg) && flag!.type !== 'strings') fail(ErrorCode.Flag, `duplicate flag specified: ${flagName}`);
      this.used.set(arg, flag!);
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
          flag!.stringValues.push(value);
          break;
      }
    }
  }
}
