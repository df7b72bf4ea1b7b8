import type { SourceLocation } from '../../errors.js';
import type { Node } from '../../parser/node.js';
import type { Command } from './index.js';

/** A build stage: a FROM instruction and the commands after it (BuildKit's `instructions.Stage`). */
export interface Stage {
  readonly kind: 'stage';
  /** Stage name, lower-cased (`''` when unnamed). Stage names are case-insensitive. */
  readonly name: string;
  /** The stage name as written after AS (`''` when unnamed). */
  readonly nameAsWritten: string;
  /** The FROM keyword as written (for lint rules). */
  readonly origCmd: string;
  /** The image or stage reference, unexpanded. */
  readonly baseName: string;
  /** Raw `--platform` value, unexpanded (`''` when not given). */
  readonly platform: string;
  /** Doc comment above the FROM that starts with the stage name. */
  readonly comment: string;
  /** Trimmed FROM instruction text. */
  readonly sourceCode: string;
  readonly commands: readonly Command[];
  readonly node: Node;
  readonly location: SourceLocation;
}
