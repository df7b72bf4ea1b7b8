/** EXPOSE port specs (`[ip:]host:container/proto`, ranges), as BuildKit parses them. */
import { DockerfileError } from '../errors.js';

function fail(message: string): never {
  throw new DockerfileError('E_EXPOSE', message);
}

function parseUint16(s: string): number | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 0xffff ? n : undefined;
}

function parsePortRange(ports: string): [number, number] | string {
  if (ports === '') return 'empty string specified for ports';
  if (!ports.includes('-')) {
    const n = parseUint16(ports);
    return n === undefined ? `invalid port ${ports}` : [n, n];
  }
  const parts = ports.split('-');
  if (parts.length !== 2) return `invalid port range format: ${ports}`;
  const start = parseUint16(parts[0]);
  const end = parseUint16(parts[1]);
  if (start === undefined || end === undefined) return `invalid port range format: ${ports}`;
  if (end < start) return `invalid range specified for port: ${ports}`;
  return [start, end];
}

function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  switch (parts.length) {
    case 1:
      return ['', '', parts[0]];
    case 2:
      return ['', parts[0], parts[1]];
    case 3:
      return [parts[0], parts[1], parts[2]];
    default: {
      const n = parts.length;
      return [parts.slice(0, n - 2).join(':'), parts[n - 2], parts[n - 1]];
    }
  }
}

function isIP(s: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s)) return s.split('.').every((x) => Number(x) <= 255 && (x === '0' || !x.startsWith('0')));
  return /^[0-9a-fA-F:.]+$/.test(s) && s.includes(':');
}

/**
 * Sees each spec once its protocol is known, before the rest is validated (where BuildKit runs
 * the EXPOSE checks): the spec, its protocol as written (`tcp` when absent), IP and host port.
 */
export type PortSpecObserver = (raw: string, proto: string, ip: string, hostPort: string) => void;

/** One spec → `port/proto` strings. */
function parsePortSpec(raw: string, observe?: PortSpecObserver): string[] {
  let [ip, hostPort, containerPort] = splitParts(raw);
  const slash = containerPort.indexOf('/');
  let proto = slash >= 0 ? containerPort.slice(slash + 1) : '';
  containerPort = slash >= 0 ? containerPort.slice(0, slash) : containerPort;
  if (containerPort === '') fail(`no port specified: ${raw}<empty>`);
  if (proto === '' || ['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) observe?.(raw, proto === '' ? 'tcp' : proto, ip, hostPort);
  proto = proto.toLowerCase();
  if (proto === '') proto = 'tcp';
  else if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') fail(`invalid proto: ${proto}`);
  if (ip.startsWith('[')) ip = ip.replace(/^\[|\]$/g, '');
  if (ip !== '' && !isIP(ip)) fail(`invalid IP address: ${ip}`);
  const range = parsePortRange(containerPort);
  if (typeof range === 'string') fail(`invalid containerPort: ${containerPort}`);
  if (hostPort !== '') {
    const host = parsePortRange(hostPort);
    if (typeof host === 'string') fail(`invalid hostPort: ${hostPort}`);
    if (range[1] - range[0] !== host[1] - host[0] && range[1] !== range[0]) {
      fail(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
    }
  }
  const out: string[] = [];
  for (let p = range[0]; p <= range[1]; p++) out.push(`${p}/${proto}`);
  return out;
}

/** Every spec → `port/proto` strings, in order. */
export function parsePortSpecs(ports: readonly string[], observe?: PortSpecObserver): string[] {
  return ports.flatMap((p) => parsePortSpec(p, observe));
}
