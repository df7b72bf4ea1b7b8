// Types of tar.mjs for the TypeScript tests.

export interface TarEntry {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
  size: number;
  sha256: string;
  major: number;
  minor: number;
}

export function normalizeTarPath(p: string): string;
export function readTar(buf: Uint8Array): TarEntry[];
export function tarTree(buf: Uint8Array): Map<string, string>;
export function compareTrees(a: Map<string, string>, b: Map<string, string>, names?: [string, string]): string[];
