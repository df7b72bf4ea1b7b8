// A case's build request (case.json) in the two forms a build takes it: the frontend options
// `buildctl build --opt` sends to BuildKit's Dockerfile frontend, and our CLI's docker-build flags.

/** case.json → `buildctl build --opt K=V` values, as buildx/buildctl send them to the frontend. */
export function frontendOpts(cfg) {
  const o = [];
  if (cfg.target) o.push(`target=${cfg.target}`);
  const platform = cfg.platform ?? (cfg.platforms ?? []).join(',');
  if (platform) o.push(`platform=${platform}`);
  for (const [k, v] of Object.entries(cfg.buildArgs ?? {})) o.push(`build-arg:${k}=${v}`);
  for (const [k, v] of Object.entries(cfg.labels ?? {})) o.push(`label:${k}=${v}`);
  if (cfg.extraHosts?.length) o.push(`add-hosts=${cfg.extraHosts.join(',')}`);
  if (cfg.hostname) o.push(`hostname=${cfg.hostname}`);
  if (cfg.network && cfg.network !== 'default') o.push(`force-network-mode=${cfg.network}`);
  if (cfg.shmSize !== undefined && cfg.shmSize !== '' && cfg.shmSize !== 0) o.push(`shm-size=${cfg.shmSize}`);
  if (cfg.ulimits?.length) o.push(`ulimit=${cfg.ulimits.join(',')}`);
  if (cfg.cgroupParent) o.push(`cgroup-parent=${cfg.cgroupParent}`);
  return o;
}

/** case.json → `dockerfile-llb compile` flags. */
export function cliFlags(cfg) {
  const a = [];
  if (cfg.target) a.push('--target', cfg.target);
  for (const [k, v] of Object.entries(cfg.buildArgs ?? {})) a.push('--build-arg', `${k}=${v}`);
  if (cfg.platform) a.push('--platform', cfg.platform);
  if (cfg.platforms?.length) a.push('--platform', cfg.platforms.join(','));
  for (const [k, v] of Object.entries(cfg.labels ?? {})) a.push('--label', `${k}=${v}`);
  for (const h of cfg.extraHosts ?? []) a.push('--add-host', h);
  if (cfg.hostname) a.push('--hostname', cfg.hostname);
  if (cfg.network) a.push('--network', cfg.network);
  if (cfg.shmSize !== undefined) a.push('--shm-size', String(cfg.shmSize));
  for (const u of cfg.ulimits ?? []) a.push('--ulimit', u);
  if (cfg.cgroupParent) a.push('--cgroup-parent', cfg.cgroupParent);
  return a;
}
