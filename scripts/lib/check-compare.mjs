// Comparing build-check answers with BuildKit's, where BuildKit's own order is random (the golden
// corpus README): several UndefinedVar (UndefinedArgInFrom) warnings of one instruction come in Go
// map order, InvalidBaseImagePlatform warnings of several stages in the order their images resolved,
// and `lint violation found for rules: A, B` lists its rules in map order. Plain JavaScript, shared by
// the tests (test/helpers/checks.ts) and scripts/parity-requests.mjs.

const line = (w) => w.location?.ranges?.[0]?.start?.line ?? 0;

/** Go's string order (UTF-8 bytes, which is code point order). */
const goOrder = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** The warnings with every run of randomly ordered ones sorted (detail, or line). */
export function normalizeWarnings(warnings) {
  if (warnings === null) return null;
  const out = [...warnings];
  for (let i = 0; i < out.length; ) {
    const rule = out[i].ruleName;
    let j = i + 1;
    if (rule === 'UndefinedVar' || rule === 'UndefinedArgInFrom') {
      const loc = JSON.stringify(out[i].location);
      while (j < out.length && out[j].ruleName === rule && JSON.stringify(out[j].location) === loc) j++;
      out.splice(i, j - i, ...out.slice(i, j).sort((a, b) => goOrder(a.detail ?? '', b.detail ?? '')));
    } else if (rule === 'InvalidBaseImagePlatform') {
      while (j < out.length && out[j].ruleName === rule) j++;
      out.splice(i, j - i, ...out.slice(i, j).sort((a, b) => line(a) - line(b)));
    }
    i = j;
  }
  return out;
}

/**
 * An error about an image missing from images.json, as `<ref>: unknown image`: refllb and our
 * `--images` word it each their own way, and the wording is specific to offline metadata.
 */
export function normalizeUnknownImage(text) {
  return text.replace(/(\S+): image "[^"\n]*" not in fixture/g, '$1: unknown image').replace(/(\S+): image \S+ is not in the image metadata file[^\n]*/g, '$1: unknown image');
}

/** An error message with the rule list of a lint violation sorted, and unknown images alike. */
export function normalizeErrorMessage(message) {
  message = normalizeUnknownImage(message);
  const m = /^(.*lint violation found for rules: )(.*)$/s.exec(message);
  if (!m) return message;
  const tail = m[2].replace(/\n+$/, '');
  return m[1] + tail.split(', ').sort().join(', ') + m[2].slice(tail.length);
}

/** A check result (`expected-lint.json`'s shape) with its random orders normalized. */
export function normalizeLint(result) {
  return {
    ...result,
    warnings: normalizeWarnings(result.warnings),
    ...(result.buildError ? { buildError: { ...result.buildError, message: normalizeErrorMessage(result.buildError.message) } } : {}),
  };
}

/** stderr of `compile` without the summary of build checks it starts with (buildx's style). */
export function withoutCheckSummary(stderr) {
  return stderr.replace(/^\n \d+ warnings? found [^\n]*:\n(?: - [^\n]*\n)*/, '');
}
