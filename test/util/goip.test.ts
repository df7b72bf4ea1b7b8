/**
 * Go's `net.ParseIP` and `net.IP.String`, which BuildKit applies to `--add-host` addresses: the
 * expected values are Go's documented behaviour (netip refuses leading zeros and zones; IPv6
 * prints in RFC 5952 form; IPv4-mapped addresses print as IPv4).
 */
import { describe, expect, it } from 'vitest';
import { formatGoIP, parseGoIP } from '../../src/util/goip';

const roundTrip = (s: string) => {
  const ip = parseGoIP(s);
  return ip ? formatGoIP(ip) : undefined;
};

describe('Go IP addresses', () => {
  it.each([
    ['10.0.0.5', '10.0.0.5'],
    ['255.255.255.255', '255.255.255.255'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:0102:0304', '1.2.3.4'],
    ['fd00::1', 'fd00::1'],
    ['FD00:0:0::1', 'fd00::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:db8::ff00:42:8329'],
    ['1:0:1:0:1:0:1:0', '1:0:1:0:1:0:1:0'],
    ['::1.2.3.4', '::102:304'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ])('%s prints as %s', (input, want) => expect(roundTrip(input)).toBe(want));

  it.each(['', '1.2.3', '1.2.3.4.5', '01.2.3.4', '256.1.1.1', '1.2.3.4:80', 'fe80::1%eth0', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', ':1', '1:', 'a.b.c.d', '::1.2.3', '1:2:3:4:5:6:7:8::', 'example.com'])(
    '%s is not an address',
    (input) => expect(parseGoIP(input)).toBeUndefined(),
  );
});
