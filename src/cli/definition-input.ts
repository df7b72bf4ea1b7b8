/**
 * Reading a serialized LLB Definition a user named (`dump FILE`, `diff OLD.pb NEW.pb`): decode
 * errors name the file, and a Dockerfile given where a Definition was expected is recognised and
 * answered with the command that takes it.
 */
import { DefinitionDecodeError } from '../errors.js';
import { INSTRUCTION_NAMES } from '../instructions/parse.js';
import { type Definition, readDefinition } from '../llb/definition.js';
import { InputError } from './io.js';

const KEYWORD = new RegExp(`^(?:${INSTRUCTION_NAMES.join('|')})(?:\\s|$)`, 'i');

/**
 * Whether `bytes` read like a Dockerfile: no NUL, and the first line that is not blank or a
 * comment starts with an instruction keyword. Asked only of bytes that did not decode as a
 * Definition.
 */
export function looksLikeDockerfile(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  const text = new TextDecoder().decode(bytes.subarray(0, 64 * 1024));
  for (const raw of text.replace(/^\uFEFF/, '').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    return KEYWORD.test(line);
  }
  return false;
}

/**
 * Decodes the Definition in `bytes`, read from the file the user calls `shown` (`-` is stdin).
 * @throws InputError naming the file: the decoder's message and byte offset (with its code), or,
 *   for a Dockerfile, how to compile it instead (`hint`: the command line to suggest).
 */
export function readDefinitionFrom(bytes: Uint8Array, shown: string, hint: (file: string) => string): Definition {
  const name = shown === '-' ? 'standard input' : shown;
  try {
    return readDefinition(bytes);
  } catch (e) {
    if (!(e instanceof DefinitionDecodeError)) throw e;
    if (looksLikeDockerfile(bytes)) {
      throw new InputError(`${name}: this looks like a Dockerfile, not a serialized LLB Definition; ${hint(shown)}`, e.code, { cause: e });
    }
    throw new InputError(`${name}: not a serialized LLB Definition: ${e.message}`, e.code, { cause: e });
  }
}
