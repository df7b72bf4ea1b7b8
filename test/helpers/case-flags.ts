/** A corpus case's `case.json` as the `docker build` flags the CLI takes. */

/** case.json fields → docker build flags. */
export function caseFlags(cfg: Record<string, any>): string[] {
  const a: string[] = [];
  if (cfg.target) a.push('--target', cfg.target);
  for (const [k, v] of Object.entries(cfg.buildArgs ?? {})) a.push('--build-arg', `${k}=${v}`);
  if (cfg.platform) a.push('--platform', cfg.platform);
  if (cfg.platforms) a.push('--platform', cfg.platforms.join(','));
  for (const [k, v] of Object.entries(cfg.labels ?? {})) a.push('--label', `${k}=${v}`);
  for (const h of cfg.extraHosts ?? []) a.push('--add-host', h);
  if (cfg.hostname) a.push('--hostname', cfg.hostname);
  if (cfg.network) a.push('--network', cfg.network);
  if (cfg.shmSize !== undefined) a.push('--shm-size', String(cfg.shmSize));
  for (const u of cfg.ulimits ?? []) a.push('--ulimit', u);
  if (cfg.cgroupParent) a.push('--cgroup-parent', cfg.cgroupParent);
  return a;
}
