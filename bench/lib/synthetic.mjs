// The synthetic Dockerfile of the performance issue, shared by the benches.

/**
 * A two-line header, then `n` stages of 7 instructions: `FROM alpine:3.20 AS sN`, an ENV that
 * extends PATH, a WORKDIR, a `COPY --link`, a `COPY --from` of the stage before (so the last
 * stage needs them all), a RUN with a cache mount, and a LABEL.
 */
export function synthetic(n) {
  const lines = [`# ${n} stages of 7 instructions`, '# each stage copies from the one before'];
  for (let i = 0; i < n; i++) {
    lines.push(
      `FROM alpine:3.20 AS s${i}`,
      `ENV PATH=/opt/s${i}/bin:$PATH`,
      `WORKDIR /src/s${i}`,
      `COPY --link app/ ./app/`,
      i === 0 ? 'COPY --from=alpine:3.20 /etc/os-release ./prev' : `COPY --from=s${i - 1} /src/s${i - 1}/out ./prev`,
      `RUN --mount=type=cache,target=/root/.cache echo s${i} > out && cat ./prev`,
      `LABEL stage=s${i}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
