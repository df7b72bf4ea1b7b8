// Temporary stand-in until the git-ref module lands (treats nothing as git).
export interface GitRef { remote: string; host: string; path: string; ref: string; subdir: string; checksum: string; indistinguishableFromLocal: boolean; keepGitDir?: boolean; submodules?: boolean; scheme: string }
export function parseGitRef(_src: string): { ref?: GitRef; isGit: boolean; error?: Error } { return { isGit: false }; }
export function isHttpSource(src: string): boolean { return src.startsWith('http://') || src.startsWith('https://'); }
