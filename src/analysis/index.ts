/**
 * Cache-key analysis: which steps of a build keep their digest when something changes, which run
 * again when files of the build context change (predictRebuild), and what
 * `--link` does to that. Browser-safe (no Node APIs). See docs/analysis.md.
 */
export {
  analyze,
  parseName,
  imageRef,
  stageBaseImage,
  downstreamOf,
  RESULT_LABEL,
  type Analysis,
  type AnalyzeInput,
  type Step,
  type StepInput,
  type StepKind,
  type StepLocation,
  type LinkRole,
  type JsonObject,
} from './steps.js';
export type { StageInfo } from './dockerfile.js';
export { diff, matchSteps, reasonText, stepRef, type DiffResult, type StepDiff, type StepStatus, type StepRef, type ChangeCause, type DiffSummary } from './diff.js';
export { opFieldChanges } from './fields.js';
export { whatIf, overrideImages, movedDigest, changedOptions, type WhatIfChange, type WhatIfResult, type ImageChange } from './whatif.js';
export {
  linkReport,
  setLinkFlags,
  type LinkReport,
  type LinkReportOptions,
  type CopyReport,
  type CopyOutcome,
  type StepOutcome,
  type BaseChange,
  type VariantSize,
} from './link.js';
export {
  predictRebuild,
  contextExcludePatterns,
  skippedDirectories,
  rebuildReasonText,
  type ChangeKind,
  type ContextChange,
  type RebuildOptions,
  type RebuildStatus,
  type RebuildCause,
  type RebuildStep,
  type RebuildResult,
  type ChangeEffect,
} from './rebuild.js';
export { Selection, type ContextTree, type ContextEntry, type EntryType, type SelectorSpec } from './selection.js';
export {
  SCHEMA_VERSION,
  diffToJson,
  analysisToJson,
  linkReportToJson,
  diffToTable,
  analysisToTable,
  linkReportToTable,
  rebuildToJson,
  rebuildToTable,
  type RebuildJson,
  type RebuildStepJson,
  type RebuildCauseJson,
  type DiffJson,
  type DiffStepJson,
  type AnalysisJson,
  type StepJson,
  type StepRefJson,
  type CauseJson,
} from './format.js';
