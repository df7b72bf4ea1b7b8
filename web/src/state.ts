/**
 * The explorer's state, and its form in the URL's fragment. Everything that decides what the page
 * shows is here, so a link reproduces the view.
 *
 * The fragment is `key=value` pairs joined by `&`, each part encoded with `encodeURIComponent`
 * (`#dockerfile=FROM%20alpine%0ARUN%20true&target=build&arg=V%3D1`). `+` is a plus sign, not a
 * space. Options at their default are left out; unknown keys are ignored.
 */

/** Which question the graph answers. */
export type View = 'ops' | 'changes' | 'base';

/** Which Dockerfile the base-image view compiles: as written, or with `--link` on every COPY/ADD, or on none. */
export type LinkMode = 'as-written' | 'link' | 'no-link';

/** What is compiled: the Dockerfile and the build options. */
export interface BuildInput {
  readonly dockerfile: string;
  /** The stage to build; `''` for the default (the last stage). */
  readonly target: string;
  /** The target platform; `''` for the default (linux/amd64). */
  readonly platform: string;
  /** `--build-arg` values, in the order given. */
  readonly buildArgs: readonly (readonly [string, string])[];
  /** The build context's `.dockerignore`. */
  readonly dockerignore: string;
  /** A pasted `images.json`, or `undefined` for the bundled example images. */
  readonly images?: string;
}

/** The whole state of the page. */
export interface ExplorerState {
  readonly input: BuildInput;
  /** What the changes view compares with; `undefined` means the input the page opened with. */
  readonly before?: BuildInput;
  readonly view: View;
  /** The base image the base-image view moves; `''` for every base image of the build. */
  readonly baseImage: string;
  readonly linkMode: LinkMode;
}

export const emptyInput: BuildInput = { dockerfile: '', target: '', platform: '', buildArgs: [], dockerignore: '' };

const VIEWS: readonly View[] = ['ops', 'changes', 'base'];
const LINK_MODES: readonly LinkMode[] = ['as-written', 'link', 'no-link'];

/** Whether two inputs compile the same build. */
export function sameInput(a: BuildInput, b: BuildInput): boolean {
  return (
    a.dockerfile === b.dockerfile &&
    a.target === b.target &&
    a.platform === b.platform &&
    a.dockerignore === b.dockerignore &&
    a.images === b.images &&
    a.buildArgs.length === b.buildArgs.length &&
    a.buildArgs.every(([k, v], i) => b.buildArgs[i][0] === k && b.buildArgs[i][1] === v)
  );
}

function inputPairs(input: BuildInput, prefix: string): [string, string][] {
  const out: [string, string][] = [[`${prefix}dockerfile`, input.dockerfile]];
  if (input.target) out.push([`${prefix}target`, input.target]);
  if (input.platform) out.push([`${prefix}platform`, input.platform]);
  for (const [k, v] of input.buildArgs) out.push([`${prefix}arg`, `${k}=${v}`]);
  if (input.dockerignore) out.push([`${prefix}dockerignore`, input.dockerignore]);
  if (input.images !== undefined) out.push([`${prefix}images`, input.images]);
  return out;
}

/** The URL fragment (without `#`) for a state. */
export function encodeState(state: ExplorerState): string {
  const pairs = inputPairs(state.input, '');
  if (state.view !== 'ops') pairs.push(['view', state.view]);
  if (state.baseImage) pairs.push(['base', state.baseImage]);
  if (state.linkMode !== 'as-written') pairs.push(['link', state.linkMode]);
  if (state.before && !sameInput(state.before, state.input)) pairs.push(...inputPairs(state.before, 'before.'));
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** `decodeURIComponent`, but a malformed escape stays as it is instead of failing the whole text. */
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

function parsePairs(fragment: string): [string, string][] {
  const text = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  if (!text) return [];
  return text.split('&').map((part) => {
    const eq = part.indexOf('=');
    return eq < 0 ? [safeDecode(part), ''] : [safeDecode(part.slice(0, eq)), safeDecode(part.slice(eq + 1))];
  });
}

function readInput(pairs: readonly [string, string][], prefix: string): BuildInput | undefined {
  let found = false;
  const input: { -readonly [K in keyof BuildInput]: BuildInput[K] } = { ...emptyInput, buildArgs: [] };
  const args: [string, string][] = [];
  for (const [key, value] of pairs) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    switch (name) {
      case 'dockerfile':
        input.dockerfile = value;
        found = true;
        break;
      case 'target':
        input.target = value;
        break;
      case 'platform':
        input.platform = value;
        break;
      case 'arg': {
        const eq = value.indexOf('=');
        args.push(eq < 0 ? [value, ''] : [value.slice(0, eq), value.slice(eq + 1)]);
        break;
      }
      case 'dockerignore':
        input.dockerignore = value;
        break;
      case 'images':
        input.images = value;
        break;
      default:
        break;
    }
  }
  input.buildArgs = args;
  return found ? input : undefined;
}

/**
 * The state a URL fragment describes, or `undefined` when it names no Dockerfile (then the page
 * opens its default example).
 */
export function decodeState(fragment: string): ExplorerState | undefined {
  const pairs = parsePairs(fragment);
  const input = readInput(pairs, '');
  if (!input) return undefined;
  const get = (k: string) => pairs.find(([key]) => key === k)?.[1];
  const view = get('view') as View | undefined;
  const link = get('link') as LinkMode | undefined;
  const state: { -readonly [K in keyof ExplorerState]: ExplorerState[K] } = {
    input,
    view: view && VIEWS.includes(view) ? view : 'ops',
    baseImage: get('base') ?? '',
    linkMode: link && LINK_MODES.includes(link) ? link : 'as-written',
  };
  const before = readInput(pairs, 'before.');
  if (before) state.before = before;
  return state;
}
