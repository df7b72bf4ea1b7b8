import type { CommandBase } from './base.js';

/** An inline (heredoc) source of COPY/ADD (BuildKit's `SourceContent`). */
export interface SourceContent {
  /** The heredoc name, used as the file name. */
  readonly path: string;
  /** Body; already chomped for `<<-`. */
  readonly data: string;
  /** Whether variables in the body are expanded (unquoted delimiter). */
  readonly expand: boolean;
}

/** Sources and destination of COPY/ADD (BuildKit's `SourcesAndDest`). */
export interface SourcesAndDest {
  readonly destPath: string;
  readonly sourcePaths: readonly string[];
  readonly sourceContents: readonly SourceContent[];
}

/** `ADD`. */
export interface AddCommand extends CommandBase, SourcesAndDest {
  readonly kind: 'add';
  readonly chown: string;
  readonly chmod: string;
  readonly link: boolean;
  /** `--exclude` patterns. */
  readonly excludes: readonly string[];
  /** `--keep-git-dir`; undefined when the flag was not given. */
  readonly keepGitDir?: boolean;
  readonly checksum: string;
  /** `--unpack`; undefined when the flag was not given. */
  readonly unpack?: boolean;
}

/** `COPY`. */
export interface CopyCommand extends CommandBase, SourcesAndDest {
  readonly kind: 'copy';
  /** `--from`, unexpanded (BuildKit rejects variables there). */
  readonly from: string;
  readonly chown: string;
  readonly chmod: string;
  readonly link: boolean;
  readonly excludes: readonly string[];
  readonly parents: boolean;
}
