/** EXPOSE port specs (`[ip:]host:container/proto`, ranges), as BuildKit parses them. */
import { DockerfileError } from '../errors.js';
import { goQuote } from '../util/goquote.js';
import { parseGoIP } from '../util/goip.js';

function fail(message: string): never {
  throw new DockerfileError('E_EXPOSE', message);
}

/** Go's strconv.ParseInt(s, 10, 0) for a port: a sign is allowed; 0 to 65535 (`parsePortNumber`). */
function parsePortNumber(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 0 && n <= 0xffff ? n : undefined;
}

/** `8000` or `8000-9000` (BuildKit's `parsePortRange`); undefined when invalid. */
function parsePortRange(ports: string): [number, number] | undefined {
  if (ports === '') return undefined;
  const dash = ports.indexOf('-');
  const start = parsePortNumber(dash < 0 ? ports : ports.slice(0, dash));
  if (start === undefined) return undefined;
  const end = dash < 0 ? undefined : ports.slice(dash + 1);
  if (end === undefined || end === ports.slice(0, dash)) return [start, start];
  const last = parsePortNumber(end);
  if (last === undefined || last < start) return undefined;
  return [start, last];
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

/**
 * Sees each spec once its protocol is known, before the rest is validated (where BuildKit runs
 * the EXPOSE checks): the spec, its protocol as written (`tcp` when absent), IP and host port.
 */
export type PortSpecObserver = (raw: string, proto: string, ip: string, hostPort: string) => void;

/** One spec → `port/proto` strings (BuildKit's `parsePort`). */
function parsePortSpec(raw: string, observe?: PortSpecObserver): string[] {
  let [ip, hostPort, containerPort] = splitParts(raw);
  const slash = containerPort.indexOf('/');
  let proto = slash >= 0 ? containerPort.slice(slash + 1) : '';
  containerPort = slash >= 0 ? containerPort.slice(0, slash) : containerPort;
  if (containerPort === '') fail(`invalid port: ${goQuote(raw)}: no port specified`);
  if (proto === '') proto = 'tcp';
  else if (!['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) fail(`invalid port: ${goQuote(raw)}: invalid proto: ${proto}`);
  observe?.(raw, proto, ip, hostPort);
  // An IPv6 address in brackets loses them (net.SplitHostPort), then must parse (net.ParseIP).
  if (ip.startsWith('[')) {
    const close = ip.indexOf(']');
    if (close < 0 || close !== ip.length - 1) fail(`invalid IP address ${ip}: address ${ip}:: ${close < 0 ? 'missing \']\' in address' : 'missing port in address'}`);
    ip = ip.slice(1, close);
  }
  if (ip !== '' && parseGoIP(ip) === undefined) fail(`invalid IP address: ${ip}`);
  const range = parsePortRange(containerPort);
  if (range === undefined) fail(`invalid containerPort: ${containerPort}`);
  if (hostPort !== '') {
    const host = parsePortRange(hostPort);
    if (host === undefined) fail(`invalid hostPort: ${hostPort}`);
    if (range[1] - range[0] !== host[1] - host[0] && range[1] !== range[0]) {
      fail(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
    }
  }
  const out: string[] = [];
  for (let p = range[0]; p <= range[1]; p++) out.push(`${p}/${proto.toLowerCase()}`);
  return out;
}

/** Every spec → `port/proto` strings, in order. */
export function parsePortSpecs(ports: readonly string[], observe?: PortSpecObserver): string[] {
  return ports.flatMap((p) => parsePortSpec(p, observe));
}
