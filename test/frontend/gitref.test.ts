/**
 * Git references (`ADD <git url>`): the cases of BuildKit's own tables
 * (dfgitutil/git_ref_test.go, gitutil/git_url_test.go, sshutil/scpurl_test.go) restated as data,
 * Go `net/url` behaviour the parser depends on, and the git/http sources of the golden corpus.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DockerfileError } from '../../src/errors.js';
import {
  type GitRef,
  gitIdentifier,
  gitLlbSource,
  isGitSource,
  isHttpSource,
  parseGitRef,
  parseGitUrl,
  tryParseGitRef,
} from '../../src/frontend/gitref.js';
import { goParseQuery, goUrlString, parseGoUrl } from '../../src/frontend/url.js';
import { allCases, fixtureCase } from '../helpers/corpus.js';

// ---------------------------------------------------------------------------------------------
// Go net/url
// ---------------------------------------------------------------------------------------------

describe('Go net/url Parse and String', () => {
  const ok: Array<[string, Record<string, unknown>, string?]> = [
    ['http://www.google.com', { scheme: 'http', host: 'www.google.com', path: '' }],
    ['http://www.google.com/', { scheme: 'http', host: 'www.google.com', path: '/' }],
    [
      'http://www.google.com/file%20one%26two',
      { path: '/file one&two', rawPath: '/file%20one%26two' },
    ],
    ['http://www.google.com/?', { path: '/', forceQuery: true, rawQuery: '' }],
    ['http://www.google.com/?foo=bar?', { rawQuery: 'foo=bar?', forceQuery: false }],
    ['http://user:password@google.com', { user: { username: 'user', password: 'password', passwordSet: true } }],
    [
      'http://j@ne:password@google.com',
      { host: 'google.com', user: { username: 'j@ne', password: 'password', passwordSet: true } },
      'http://j%40ne:password@google.com',
    ],
    ['http://alice@google.com/', { user: { username: 'alice', password: '', passwordSet: false } }],
    ['mailto:webmaster@golang.org', { scheme: 'mailto', opaque: 'webmaster@golang.org', host: '' }],
    ['/foo?query=http://bad', { scheme: '', path: '/foo', rawQuery: 'query=http://bad' }],
    ['//foo', { scheme: '', host: 'foo', path: '' }],
    ['http:%2f%2fwww.google.com/?q=go+language', { opaque: '%2f%2fwww.google.com/', rawQuery: 'q=go+language' }],
    ['http:/x.git', { host: '', path: '/x.git', omitHost: true }],
    ['https:////x.git', { host: '', path: '//x.git', omitHost: false }],
    ['http://[fe80::1%25en0]/', { host: '[fe80::1%en0]', path: '/' }],
    ['http://[fe80::1]:8080/', { host: '[fe80::1]:8080' }],
    ['http://[::ffff:1.2.3.4]/', { host: '[::ffff:1.2.3.4]' }],
    ['a:b', { scheme: 'a', opaque: 'b' }],
    ['HTTP://Example.COM/A', { scheme: 'http', host: 'Example.COM', path: '/A' }, 'http://Example.COM/A'],
    [
      'http://www.google.com/?q=go%20language#foo%26bar',
      { rawQuery: 'q=go%20language', fragment: 'foo&bar', rawFragment: 'foo%26bar' },
    ],
    ['http://example.com/oid/[order_id]', { path: '/oid/[order_id]', rawPath: '/oid/[order_id]' }],
    ['http://example.com/caf%C3%A9/é', { path: '/café/é' }, 'http://example.com/caf%C3%A9/%C3%A9'],
    ['http://bücher.de/x', { host: 'bücher.de' }, 'http://b%C3%BCcher.de/x'],
    ['http://host/a b', { path: '/a b' }, 'http://host/a%20b'],
    ['github.com/moby/buildkit?tag=v1', { scheme: '', host: '', path: 'github.com/moby/buildkit', rawQuery: 'tag=v1' }],
    ['*', { path: '*' }],
  ];
  for (const [raw, fields, str] of ok) {
    it(`parses ${raw}`, () => {
      const r = parseGoUrl(raw);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.url).toMatchObject(fields);
      expect(goUrlString(r.url)).toBe(str ?? raw);
    });
  }

  const errors: Array<[string, string]> = [
    ['http://[::1', 'parse "http://[::1": missing \']\' in host'],
    ['http://foo:bar/', 'parse "http://foo:bar/": invalid port ":bar" after host'],
    ['http://a b.com/', 'parse "http://a b.com/": invalid character " " in host name'],
    [':', 'parse ":": missing protocol scheme'],
    ['1.2.3.4:80', 'parse "1.2.3.4:80": first path segment in URL cannot contain colon'],
    ['%zz', 'parse "%zz": invalid URL escape "%zz"'],
    ['http://x/#%z', 'parse "http://x/#%z": invalid URL escape "%z"'],
    ['http://x/\n', 'parse "http://x/\\n": net/url: invalid control character in URL'],
    ['http://[1.2.3.4]/', 'parse "http://[1.2.3.4]/": invalid IP-literal'],
    ['http://a[::1]/', 'parse "http://a[::1]/": invalid IP-literal'],
    ['http://%41/', 'parse "http://%41/": invalid URL escape "%41"'],
    ['http://x y@host/', 'parse "http://x y@host/": net/url: invalid userinfo'],
  ];
  for (const [raw, message] of errors) {
    it(`rejects ${JSON.stringify(raw)}`, () => {
      expect(parseGoUrl(raw)).toEqual({ ok: false, error: message });
    });
  }

  it('rejects brackets that hold no IPv6 address', () => {
    for (const raw of ['http://[foo]/', 'http://[::1::2]/', 'http://[1:2:3:4:5:6:7:8:9]/', 'http://[fe80::1%25]/']) {
      expect(parseGoUrl(raw).ok, raw).toBe(false);
    }
  });

  it('parses queries like url.ParseQuery', () => {
    expect(goParseQuery('a=1&b=2&a=3&c')).toEqual({
      values: new Map([
        ['a', ['1', '3']],
        ['b', ['2']],
        ['c', ['']],
      ]),
      error: undefined,
    });
    expect(goParseQuery('q=a+b%21&&')).toEqual({ values: new Map([['q', ['a b!']]]), error: undefined });
    expect(goParseQuery('x=1;y=2')).toEqual({ values: new Map(), error: 'invalid semicolon separator in query' });
    expect(goParseQuery('a=%zz&b=1')).toEqual({ values: new Map([['b', ['1']]]), error: 'invalid URL escape "%zz"' });
  });
});

// ---------------------------------------------------------------------------------------------
// gitutil.ParseURL and sshutil (SCP-style URLs)
// ---------------------------------------------------------------------------------------------

interface UrlCase {
  url: string;
  scheme?: string;
  host?: string;
  path?: string;
  user?: string;
  opts?: { ref: string; subdir: string };
  query?: Record<string, string[]>;
  remote?: string;
  err?: boolean;
}

const gitUrlCases: UrlCase[] = [
  { url: 'http://github.com/moby/buildkit', scheme: 'http', host: 'github.com', path: '/moby/buildkit', user: '' },
  { url: 'https://github.com/moby/buildkit', scheme: 'https', host: 'github.com', path: '/moby/buildkit', user: '' },
  {
    url: 'http://github.com/moby/buildkit#v1.0.0',
    scheme: 'http',
    host: 'github.com',
    path: '/moby/buildkit',
    opts: { ref: 'v1.0.0', subdir: '' },
    remote: 'http://github.com/moby/buildkit',
  },
  {
    url: 'http://github.com/moby/buildkit#v1.0.0:subdir',
    scheme: 'http',
    host: 'github.com',
    path: '/moby/buildkit',
    opts: { ref: 'v1.0.0', subdir: 'subdir' },
  },
  {
    url: 'http://foo:bar@github.com/moby/buildkit#v1.0.0',
    scheme: 'http',
    host: 'github.com',
    path: '/moby/buildkit',
    opts: { ref: 'v1.0.0', subdir: '' },
    user: 'foo:bar',
    remote: 'http://foo:bar@github.com/moby/buildkit',
  },
  { url: 'ssh://git@github.com/moby/buildkit.git', scheme: 'ssh', host: 'github.com', path: '/moby/buildkit.git', user: 'git' },
  {
    url: 'ssh://git@github.com:22/moby/buildkit.git',
    scheme: 'ssh',
    host: 'github.com:22',
    path: '/moby/buildkit.git',
    user: 'git',
  },
  {
    url: 'git@github.com:moby/buildkit.git',
    scheme: 'ssh',
    host: 'github.com',
    path: 'moby/buildkit.git',
    user: 'git',
    remote: 'git@github.com:moby/buildkit.git',
  },
  {
    url: 'git@github.com:moby/buildkit.git#v1.0.0',
    scheme: 'ssh',
    host: 'github.com',
    path: 'moby/buildkit.git',
    opts: { ref: 'v1.0.0', subdir: '' },
    user: 'git',
    remote: 'git@github.com:moby/buildkit.git',
  },
  {
    url: 'git@github.com:moby/buildkit.git#v1.0.0:hack',
    scheme: 'ssh',
    host: 'github.com',
    path: 'moby/buildkit.git',
    opts: { ref: 'v1.0.0', subdir: 'hack' },
    user: 'git',
  },
  {
    url: 'nonstandarduser@example.com:/srv/repos/weird/project.git',
    scheme: 'ssh',
    host: 'example.com',
    path: '/srv/repos/weird/project.git',
    user: 'nonstandarduser',
  },
  {
    url: 'ssh://root@subdomain.example.hostname:2222/root/my/really/weird/path/foo.git',
    scheme: 'ssh',
    host: 'subdomain.example.hostname:2222',
    path: '/root/my/really/weird/path/foo.git',
    user: 'root',
  },
  { url: 'git://host.xz:1234/path/to/repo.git', scheme: 'git', host: 'host.xz:1234', path: '/path/to/repo.git', user: '' },
  {
    url: 'ssh://someuser@192.168.0.123:456/~/repo-in-my-home-dir.git',
    scheme: 'ssh',
    host: '192.168.0.123:456',
    path: '/~/repo-in-my-home-dir.git',
    user: 'someuser',
  },
  { url: 'httpx://github.com/moby/buildkit', err: true },
  { url: 'HTTP://github.com/moby/buildkit', scheme: 'http', host: 'github.com', path: '/moby/buildkit', user: '' },
  // Query options are passed through to dfgitutil; the remote loses them.
  {
    url: 'https://github.com/moby/buildkit.git?ref=v1.0.0&subdir=/subdir#main',
    scheme: 'https',
    path: '/moby/buildkit.git',
    opts: { ref: 'main', subdir: '' },
    query: { ref: ['v1.0.0'], subdir: ['/subdir'] },
    remote: 'https://github.com/moby/buildkit.git',
  },
  {
    url: 'git@github.com:moby/buildkit.git?subdir=/subdir#v1.0.0',
    scheme: 'ssh',
    path: 'moby/buildkit.git',
    opts: { ref: 'v1.0.0', subdir: '' },
    query: { subdir: ['/subdir'] },
    remote: 'git@github.com:moby/buildkit.git',
  },
  // The "##key=value,…" CSV form was never merged (moby/buildkit#5903): the fragment is a ref.
  {
    url: 'https://github.com/moby/buildkit##ref=v1.0.0,subdir=/subdir',
    opts: { ref: '#ref=v1.0.0,subdir=/subdir', subdir: '' },
  },
  // SCP-style: the fragment is kept raw, the path up to the first "?" or "#".
  { url: 'git@host:a%20b.git#x%20y', path: 'a%20b.git', opts: { ref: 'x%20y', subdir: '' } },
  { url: 'git@host:p#f?x', path: 'p', opts: { ref: 'f?x', subdir: '' } },
  // parseOpts cleans the fragment's subdirectory and makes it relative (path.Join("/", …) less its "/").
  { url: 'git@host:p#main:docs//./sub/', opts: { ref: 'main', subdir: 'docs/sub' } },
  { url: 'https://host/p.git#main:/', opts: { ref: 'main', subdir: '' } },
  { url: 'https://host/p.git#main:../up', opts: { ref: 'main', subdir: 'up' } },
  // An SCP-style URL with a malformed query is no URL at all.
  { url: 'git@host:repo.git?a=%zz', err: true },
  { url: 'git+ssh://github.com/moby/buildkit.git', err: true },
];

describe('gitutil.ParseURL', () => {
  for (const c of gitUrlCases) {
    it(c.url, () => {
      const r = parseGitUrl(c.url);
      if (c.err) {
        expect(r.ok).toBe(false);
        return;
      }
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const u = r.url;
      if (c.scheme !== undefined) expect(u.scheme).toBe(c.scheme);
      if (c.host !== undefined) expect(u.host).toBe(c.host);
      if (c.path !== undefined) expect(u.path).toBe(c.path);
      const user = u.user ? u.user.username + (u.user.passwordSet ? ':' + u.user.password : '') : '';
      if (c.user !== undefined) expect(user).toBe(c.user);
      expect(u.opts).toEqual(c.opts);
      expect(u.query ? Object.fromEntries(u.query) : undefined).toEqual(c.query);
      if (c.remote !== undefined) expect(u.remote).toBe(c.remote);
    });
  }

  it('reports unknown and invalid protocols as Go does', () => {
    expect(parseGitUrl('ftp://example.com/x.git')).toEqual({ ok: false, error: 'ftp: invalid protocol', unknownProtocol: false });
    expect(parseGitUrl('FTP://example.com/x.git')).toMatchObject({ error: 'ftp: invalid protocol' });
    expect(parseGitUrl('example.com/x.git')).toEqual({ ok: false, error: 'unknown protocol', unknownProtocol: true });
  });
});

describe('sshutil implicit SSH transport (SCP-style URLs)', () => {
  // A user is required (BuildKit's regexp); moby/buildkit#5293, which would make it optional,
  // is not merged.
  const implicit: Array<[string, boolean]> = [
    ['git@github.com:moby/buildkit.git', true],
    ['nonstandarduser@example.com:/srv/repos/weird/project.git', true],
    ['other_Funky-username52@example.com:path/to/repo.git/', true],
    ['other_Funky-username52@example.com:/to/really:odd:repo.git/', true],
    ['teddy@4houses-down.com:/~/catnip.git/', true],
    ['github.com:moby/buildkit.git', false],
    ['weird:user@helloworld.net:foo/bar.git', false],
    ['http://github.com/moby/buildkit', false],
    ['github.com/moby/buildkit', false],
    ['helloworld.net', false],
    ['git@helloworld.net', false],
    ['git@helloworld.net/foo/bar.git', false],
    ['', false],
    ['git@host:path\nmore', false],
  ];
  for (const [url, want] of implicit) {
    it(`${JSON.stringify(url)} → ${want}`, () => {
      const r = parseGitUrl(url);
      expect(r.ok && r.url.scheme === 'ssh').toBe(want);
    });
  }

  it('splits user, host, path, query and fragment', () => {
    const r = parseGitUrl('git@github.com:moby/buildkit.git?subdir=a&subdir=b#v1.0');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.url).toMatchObject({
      user: { username: 'git' },
      host: 'github.com',
      path: 'moby/buildkit.git',
      opts: { ref: 'v1.0', subdir: '' },
      remote: 'git@github.com:moby/buildkit.git',
    });
    expect(r.url.query?.get('subdir')).toEqual(['a', 'b']);
  });
});

// ---------------------------------------------------------------------------------------------
// dfgitutil.ParseGitRef
// ---------------------------------------------------------------------------------------------

type Expected = Partial<GitRef>;
type RefCase = { ref: string; expected?: Expected; err?: string; isGit?: boolean };

const base = (remote: string, shortName: string, extra: Expected = {}): Expected => ({
  remote,
  shortName,
  ref: '',
  checksum: '',
  subdir: '',
  indistinguishableFromLocal: false,
  unencryptedTcp: false,
  ...extra,
});

const BK = 'https://github.com/moby/buildkit.git';

const refCases: RefCase[] = [
  // dfgitutil/git_ref_test.go
  { ref: 'https://example.com/' },
  { ref: 'https://example.com/foo' },
  { ref: 'https://example.com/foo.git', expected: base('https://example.com/foo.git', 'foo') },
  { ref: 'https://example.com/foo.git#deadbeef', expected: base('https://example.com/foo.git', 'foo', { ref: 'deadbeef' }) },
  {
    ref: 'https://example.com/foo.git#release/1.2',
    expected: base('https://example.com/foo.git', 'foo', { ref: 'release/1.2' }),
  },
  { ref: 'https://example.com/foo.git/' },
  { ref: 'https://example.com/foo.git.bar' },
  { ref: 'git://example.com/foo', expected: base('git://example.com/foo', 'foo', { unencryptedTcp: true }) },
  {
    ref: 'github.com/moby/buildkit',
    expected: base('github.com/moby/buildkit', 'buildkit', { indistinguishableFromLocal: true }),
  },
  {
    ref: 'github.com/moby/buildkit#master',
    expected: base('github.com/moby/buildkit', 'buildkit', { indistinguishableFromLocal: true, ref: 'master' }),
  },
  { ref: 'custom.xyz/moby/buildkit.git' },
  { ref: 'https://github.com/moby/buildkit' },
  { ref: BK, expected: base(BK, 'buildkit') },
  {
    ref: 'https://foo:bar@github.com/moby/buildkit.git',
    expected: base('https://foo:bar@github.com/moby/buildkit.git', 'buildkit'),
  },
  { ref: 'git@github.com:moby/buildkit', expected: base('git@github.com:moby/buildkit', 'buildkit') },
  { ref: 'git@github.com:moby/buildkit.git', expected: base('git@github.com:moby/buildkit.git', 'buildkit') },
  {
    ref: 'git@bitbucket.org:atlassianlabs/atlassian-docker.git',
    expected: base('git@bitbucket.org:atlassianlabs/atlassian-docker.git', 'atlassian-docker'),
  },
  {
    ref: 'https://github.com/foo/bar.git#baz/qux:quux/quuz',
    expected: base('https://github.com/foo/bar.git', 'bar', { ref: 'baz/qux', subdir: 'quux/quuz' }),
  },
  { ref: 'http://github.com/docker/docker.git:#branch' },
  {
    ref: 'https://github.com/docker/docker.git#:myfolder',
    expected: base('https://github.com/docker/docker.git', 'docker', { subdir: 'myfolder' }),
  },
  { ref: './.git' },
  { ref: '.git' },
  {
    ref: 'https://github.com/docker/docker.git?ref=v1.0.0&subdir=/subdir',
    expected: base('https://github.com/docker/docker.git', 'docker', { ref: 'v1.0.0', subdir: '/subdir' }),
  },
  { ref: `${BK}?subdir=/subdir#v1.0.0`, expected: base(BK, 'buildkit', { ref: 'v1.0.0', subdir: '/subdir' }) },
  { ref: `${BK}?tag=v1.0.0`, expected: base(BK, 'buildkit', { ref: 'refs/tags/v1.0.0' }) },
  {
    ref: 'github.com/moby/buildkit?tag=v1.0.0',
    expected: base('github.com/moby/buildkit', 'buildkit', { ref: 'refs/tags/v1.0.0', indistinguishableFromLocal: true }),
  },
  { ref: `${BK}?branch=v1.0`, expected: base(BK, 'buildkit', { ref: 'refs/heads/v1.0' }) },
  { ref: `${BK}?ref=v1.0.0#v1.2.3`, err: 'ref conflicts: "v1.2.3" vs "v1.0.0"' },
  { ref: `${BK}?ref=v1.0.0&tag=v1.2.3`, err: 'ref conflicts: "v1.0.0" vs "refs/tags/v1.2.3"' },
  { ref: `${BK}?tag=v1.0.0&branch=v1.0`, err: 'branch conflicts with tag' },
  {
    ref: 'git@github.com:moby/buildkit.git?subdir=/subdir#v1.0.0',
    expected: base('git@github.com:moby/buildkit.git', 'buildkit', { ref: 'v1.0.0', subdir: '/subdir' }),
  },
  { ref: `${BK}?invalid=123`, err: 'unexpected query "invalid"' },

  // keep-git-dir and submodules (moby/buildkit#6173): booleans, bare keys mean true.
  { ref: `${BK}?keep-git-dir`, expected: base(BK, 'buildkit', { keepGitDir: true }) },
  { ref: `${BK}?keep-git-dir=`, expected: base(BK, 'buildkit', { keepGitDir: true }) },
  { ref: `${BK}?keep-git-dir=1`, expected: base(BK, 'buildkit', { keepGitDir: true }) },
  { ref: `${BK}?keep-git-dir=False`, expected: base(BK, 'buildkit', { keepGitDir: false }) },
  { ref: `${BK}?keep-git-dir=yes`, err: 'invalid keep-git-dir value: "yes"' },
  { ref: `${BK}?keep-git-dir=1&keep-git-dir=1`, err: 'query "keep-git-dir" has multiple values' },
  { ref: `${BK}?submodules=false`, expected: base(BK, 'buildkit', { submodules: false }) },
  { ref: `${BK}?submodules`, expected: base(BK, 'buildkit', { submodules: true }) },
  { ref: `${BK}?submodules=maybe`, err: 'invalid submodules value: "maybe"' },
  // checksum / commit: no longer copied into ref (moby/buildkit#6176).
  { ref: `${BK}?checksum=b772c318`, expected: base(BK, 'buildkit', { checksum: 'b772c318' }) },
  { ref: `${BK}?commit=b772c318`, expected: base(BK, 'buildkit', { checksum: 'b772c318' }) },
  { ref: `${BK}?ref=v1&commit=b772c318`, expected: base(BK, 'buildkit', { ref: 'v1', checksum: 'b772c318' }) },
  // Values and conflicts.
  { ref: `${BK}?ref=`, err: 'query "ref" has no value' },
  { ref: `${BK}?ref`, err: 'query "ref" has no value' },
  { ref: `${BK}?ref=a&ref=b`, err: 'query "ref" has multiple values' },
  { ref: `${BK}?ref=v1#v1`, expected: base(BK, 'buildkit', { ref: 'v1' }) },
  { ref: `${BK}?tag=refs/tags/v1`, expected: base(BK, 'buildkit', { ref: 'refs/tags/v1' }) },
  { ref: `${BK}?ref=refs/tags/v1&tag=v1`, expected: base(BK, 'buildkit', { ref: 'refs/tags/v1' }) },
  { ref: `${BK}?branch=refs/heads/main`, expected: base(BK, 'buildkit', { ref: 'refs/heads/main' }) },
  { ref: `${BK}?ref=main&branch=main`, err: 'ref conflicts: "main" vs "refs/heads/main"' },
  { ref: `${BK}?subdir=a#:b`, err: 'subdir conflicts: "b" vs "a"' },
  { ref: `${BK}?subdir=a#:a`, expected: base(BK, 'buildkit', { subdir: 'a' }) },
  { ref: `${BK}?ref=a+b%2Fc`, expected: base(BK, 'buildkit', { ref: 'a b/c' }) },
  { ref: `${BK}?depth=1`, err: 'unexpected query "depth"' },
  { ref: `${BK}?Ref=v1`, err: 'unexpected query "Ref"' },
  // Malformed pairs are dropped by URL.Query; a query left empty is no query.
  { ref: `${BK}?a;b&ref=v1`, expected: base(BK, 'buildkit', { ref: 'v1' }) },
  { ref: `${BK}?&`, expected: base(BK, 'buildkit') },
  // Go's URL.String keeps a lone "?" (ForceQuery), and ShortName is cut from that remote.
  { ref: `${BK}?`, expected: base(`${BK}?`, 'buildkit.git?') },
  // Scheme lower-cased, host and path kept as written, path decoded.
  {
    ref: 'HTTPS://GitHub.com/Moby/BuildKit.git',
    expected: base('https://GitHub.com/Moby/BuildKit.git', 'BuildKit', { host: 'GitHub.com', path: '/Moby/BuildKit.git' }),
  },
  {
    ref: 'https://github.com/moby/build%20kit.git#v1',
    expected: base('https://github.com/moby/build%20kit.git', 'build%20kit', { ref: 'v1', path: '/moby/build kit.git' }),
  },
  { ref: 'https://github.com/moby/buildkit%2Egit', expected: base('https://github.com/moby/buildkit%2Egit', 'buildkit%2Egit') },
  {
    ref: 'http://example.com/x.git',
    expected: base('http://example.com/x.git', 'x', { unencryptedTcp: true, scheme: 'http' }),
  },
  {
    ref: 'ssh://git@example.com:2222/x.git#v1:sub/dir',
    expected: base('ssh://git@example.com:2222/x.git', 'x', { ref: 'v1', subdir: 'sub/dir', scheme: 'ssh', host: 'example.com:2222' }),
  },
  { ref: 'https://[::1]:8080/x.git', expected: base('https://[::1]:8080/x.git', 'x', { host: '[::1]:8080' }) },
  { ref: 'https://[1.2.3.4]/x.git' },
  { ref: 'ftp://example.com/x.git' },
  { ref: 'git+ssh://git@github.com/moby/buildkit.git' },
  { ref: '../buildkit.git' },
  { ref: 'local.txt' },
  { ref: 'foo:bar' },
  { ref: 'github.com:moby/buildkit.git' },
];

describe('dfgitutil.ParseGitRef', () => {
  for (const c of refCases) {
    it(c.ref, () => {
      const r = tryParseGitRef(c.ref);
      if (c.expected) {
        expect(r.error).toBeUndefined();
        expect(r.isGit).toBe(true);
        expect(r.ref).toMatchObject(c.expected);
        // The optional booleans are absent when the query does not set them.
        expect(r.ref?.keepGitDir).toBe(c.expected.keepGitDir);
        expect(r.ref?.submodules).toBe(c.expected.submodules);
        expect(parseGitRef(c.ref)).toEqual(r.ref);
      } else if (c.err !== undefined) {
        expect(r).toEqual({ isGit: true, error: c.err });
        expect(() => parseGitRef(c.ref)).toThrow(c.err);
      } else {
        expect(r.isGit).toBe(false);
        expect(r.ref).toBeUndefined();
        expect(parseGitRef(c.ref)).toBeUndefined();
      }
    });
  }

  it('reports why a source is not git', () => {
    expect(tryParseGitRef('./x.git')).toEqual({ isGit: false, error: 'invalid argument' });
    expect(tryParseGitRef('https://example.com/foo')).toEqual({ isGit: false, error: 'invalid argument' });
    expect(tryParseGitRef('local.txt')).toEqual({ isGit: false, error: 'unknown protocol' });
    expect(tryParseGitRef('ftp://example.com/x.git')).toEqual({ isGit: false, error: 'ftp: invalid protocol' });
    expect(tryParseGitRef('https://a b/x.git')).toEqual({
      isGit: false,
      error: 'parse "https://a b/x.git": invalid character " " in host name',
    });
  });

  it('throws a DockerfileError with BuildKit\'s message and no location', () => {
    let err: unknown;
    try {
      parseGitRef('https://github.com/moby/buildkit.git?depth=1');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DockerfileError);
    const de = err as DockerfileError;
    expect(de.code).toBe('E_GIT_REF');
    expect(de.message).toBe('unexpected query "depth"');
    expect(de.location).toBeUndefined();
  });

  it('visits query keys in the order they are written', () => {
    expect(tryParseGitRef(`${BK}?depth=1&keep-git-dir=maybe`).error).toBe('unexpected query "depth"');
    expect(tryParseGitRef(`${BK}?keep-git-dir=maybe&depth=1`).error).toBe('invalid keep-git-dir value: "maybe"');
  });
});

// ---------------------------------------------------------------------------------------------
// convert_copy.go: isGitSource / isHTTPSource
// ---------------------------------------------------------------------------------------------

describe('isGitSource / isHttpSource', () => {
  const cases: Array<[string, boolean, boolean]> = [
    ['https://github.com/moby/buildkit.git#v0.24.0', true, false],
    ['https://github.com/moby/buildkit.git?ref=v0.24.0&keep-git-dir=true', true, false],
    ['git@github.com:moby/buildkit.git#v0.24.0', true, false],
    ['git://github.com/moby/buildkit.git#v0.24.0', true, false],
    ['github.com/moby/buildkit', true, false],
    ['https://example.com/remote.txt', false, true],
    ['http://example.com/file.txt', false, true],
    ['https://example.com/', false, true],
    ['https://example.com/path/data.json?token=x', false, true],
    // A git URL with bad options is not a git source, so it counts as http (the copy then fails
    // on the git error).
    ['https://github.com/moby/buildkit.git?depth=1', false, true],
    ['HTTPS://example.com/x', false, false],
    ['local.txt', false, false],
    ['./dir/', false, false],
    ['ftp://example.com/x', false, false],
  ];
  for (const [src, git, http] of cases) {
    it(src, () => {
      expect(isGitSource(src)).toBe(git);
      expect(isHttpSource(src)).toBe(http);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// llb.Git: identifier and git.fullurl
// ---------------------------------------------------------------------------------------------

describe('llb.Git source identity', () => {
  const cases: Array<[string, string, string, string, string, boolean?]> = [
    [BK, 'v0.24.0', '', 'git://github.com/moby/buildkit.git#v0.24.0', BK],
    [BK, 'master', 'frontend/dockerfile', 'git://github.com/moby/buildkit.git#master:frontend/dockerfile', BK],
    [BK, '', '', 'git://github.com/moby/buildkit.git', BK],
    [BK, '', '/subdir', 'git://github.com/moby/buildkit.git#:/subdir', BK],
    [BK, 'refs/heads/master', 'docs', 'git://github.com/moby/buildkit.git#refs/heads/master:docs', BK],
    [
      'git@github.com:moby/buildkit.git',
      'v0.24.0',
      '',
      'git://github.com/moby/buildkit.git#v0.24.0',
      'git@github.com:moby/buildkit.git',
      true,
    ],
    ['git://github.com/moby/buildkit.git', 'v1', '', 'git://github.com/moby/buildkit.git#v1', 'git://github.com/moby/buildkit.git'],
    [
      'ssh://git@github.com:22/moby/buildkit.git',
      '',
      '',
      'git://github.com:22/moby/buildkit.git',
      'ssh://git@github.com:22/moby/buildkit.git',
      true,
    ],
    // Credentials stay in git.fullurl, never in the identifier.
    [
      'https://foo:bar@github.com/moby/buildkit.git',
      '',
      '',
      'git://github.com/moby/buildkit.git',
      'https://foo:bar@github.com/moby/buildkit.git',
    ],
    // A scheme-less remote is retried with https://.
    ['github.com/moby/buildkit', 'master', '', 'git://github.com/moby/buildkit#master', 'https://github.com/moby/buildkit'],
    // The path is cleaned (path.Join) and decoded in the identifier only.
    ['https://h/a/../b.git', '', '', 'git://h/b.git', 'https://h/a/../b.git'],
    ['https://h/build%20kit.git', '', '', 'git://h/build kit.git', 'https://h/build%20kit.git'],
    ['git@h:repo.git', '', '', 'git://h/repo.git', 'git@h:repo.git', true],
    ['git@h:/srv/repo.git/', '', '', 'git://h/srv/repo.git', 'git@h:/srv/repo.git/', true],
    // A remote that still does not parse is its own identifier.
    ['ftp://x', '', '', 'git://ftp://x', 'ftp://x'],
  ];
  for (const [remote, ref, subdir, identifier, fullUrl, ssh] of cases) {
    it(`${remote} ${ref}:${subdir}`, () => {
      const s = gitLlbSource(remote, ref, subdir);
      expect(s.identifier).toBe(identifier);
      expect(s.fullUrl).toBe(fullUrl);
      expect(s.isSsh).toBe(ssh ?? false);
      expect(gitIdentifier({ remote }, ref, subdir)).toBe(identifier);
    });
  }

  it('builds the identifier of a parsed reference', () => {
    const p = parseGitRef('git@github.com:moby/buildkit.git#v0.24.0')!;
    expect(gitIdentifier(p, p.ref, p.subdir)).toBe('git://github.com/moby/buildkit.git#v0.24.0');
    const q = parseGitRef(`${BK}?branch=master&subdir=docs`)!;
    expect(gitIdentifier(q, q.ref, q.subdir)).toBe('git://github.com/moby/buildkit.git#refs/heads/master:docs');
  });
});

// ---------------------------------------------------------------------------------------------
// The corpora (our fixtures and the golden corpus)
// ---------------------------------------------------------------------------------------------

interface SourceOp {
  identifier: string;
  attrs?: Record<string, string>;
}

function sourceOps(dir: string): SourceOp[] {
  const expected = JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8')) as {
    ops: Array<{ op: { Op?: { source?: SourceOp }; source?: SourceOp } }>;
  };
  return expected.ops.map((o) => o.op.Op?.source ?? o.op.source).filter((s): s is SourceOp => s !== undefined);
}

/** ADD/COPY sources that look remote, with their flags; `$VAR`s from global `ARG NAME=value`. */
function remoteSources(dockerfile: string): Array<{ src: string; keepGitDir?: boolean; checksum?: string }> {
  const args = new Map<string, string>();
  for (const m of dockerfile.matchAll(/^ARG\s+([A-Za-z_][A-Za-z0-9_]*)=(\S+)\s*$/gm)) {
    if (!args.has(m[1])) args.set(m[1], m[2].replace(/^"|"$/g, ''));
  }
  const out: Array<{ src: string; keepGitDir?: boolean; checksum?: string }> = [];
  for (const line of dockerfile.split('\n')) {
    const m = /^\s*(ADD|COPY)\s+(.*)$/i.exec(line);
    if (!m) continue;
    const words = m[2].trim().split(/\s+/);
    const flags = words.filter((w) => w.startsWith('--'));
    const rest = words.filter((w) => !w.startsWith('--'));
    const keep = flags.find((f) => f.startsWith('--keep-git-dir'));
    const checksum = flags.find((f) => f.startsWith('--checksum='))?.slice('--checksum='.length);
    for (let word of rest.slice(0, -1)) {
      word = word.replace(/^"|"$/g, '');
      let unresolved = false;
      word = word.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => {
        const v = args.get(name);
        if (v === undefined) unresolved = true;
        return v ?? '';
      });
      if (unresolved || !/^(https?:\/\/|git@|git:\/\/|ssh:\/\/)/.test(word)) continue;
      out.push({
        src: word,
        keepGitDir: keep === undefined ? undefined : keep !== '--keep-git-dir=false',
        checksum: checksum !== undefined && !checksum.includes('$') ? checksum : undefined,
      });
    }
  }
  return out;
}

describe('the corpora', () => {
  const cases = allCases().filter((c) => {
    const df = readFileSync(`${c.dir}/Dockerfile`, 'utf8');
    return /^\s*ADD\b.*(https?:\/\/|git@|git:\/\/)/im.test(df);
  });

  it('has cases with remote ADD sources', () => {
    expect(cases.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        'fixtures:features/add-git',
        'fixtures:features/add-git-keep-git-dir',
        'fixtures:features/add-git-query',
        'fixtures:features/add-git-checksum',
        'fixtures:features/add-mixed-sources',
      ]),
    );
  });

  for (const c of cases) {
    it(c.id, () => {
      const ops = sourceOps(c.dir);
      const gitOps = ops.filter((o) => o.identifier.startsWith('git://'));
      const matched = new Set<SourceOp>();
      for (const s of remoteSources(readFileSync(`${c.dir}/Dockerfile`, 'utf8'))) {
        const ref = parseGitRef(s.src);
        if (ref === undefined) {
          if (!isHttpSource(s.src)) continue;
          // Only the feature cases build every stage; real projects may skip the one with the URL.
          if (c.name.startsWith('features/')) {
            expect(ops.some((o) => o.identifier === s.src), s.src).toBe(true);
          }
          continue;
        }
        const llb = gitLlbSource(ref.remote, ref.ref, ref.subdir);
        const keep = ref.keepGitDir ?? s.keepGitDir;
        const checksum = ref.checksum || s.checksum;
        const attrs: Record<string, string> = { 'git.fullurl': llb.fullUrl };
        if (keep) attrs['git.keepgitdir'] = 'true';
        if (checksum) attrs['git.checksum'] = checksum;
        if (ref.submodules === false) attrs['git.skipsubmodules'] = 'true';
        if (llb.isSsh) attrs['git.mountsshsock'] = 'default';
        const op = gitOps.find(
          (o) =>
            o.identifier === llb.identifier &&
            Object.entries(attrs).every(([k, v]) => o.attrs?.[k] === v) &&
            ['git.keepgitdir', 'git.checksum', 'git.skipsubmodules'].every((k) => (k in attrs) === (k in (o.attrs ?? {}))),
        );
        if (c.name.startsWith('features/')) expect(op, `${s.src} → ${llb.identifier}`).toBeDefined();
        if (op) matched.add(op);
      }
      // Every git source op of the case comes from one of its ADD lines.
      expect(gitOps.filter((o) => !matched.has(o))).toEqual([]);
    });
  }

  it('errors/add-git-unknown-query: an unknown query is rejected with BuildKit\'s text', () => {
    const want = readFileSync(`${fixtureCase('errors/add-git-unknown-query').dir}/expected-error.txt`, 'utf8').trim();
    expect(() => parseGitRef('https://github.com/example/project.git?ref=main&shallow=true')).toThrow(want);
  });

  it('errors/032: the query sets keep-git-dir, which the frontend checks against the flag', () => {
    expect(parseGitRef('https://github.com/moby/buildkit.git?ref=v0.24.0&keep-git-dir=true')).toMatchObject({
      ref: 'v0.24.0',
      keepGitDir: true,
    });
  });

  it('errors/029: COPY of a git source is recognized as git', () => {
    expect(isGitSource('https://github.com/moby/buildkit.git#v0.24.0')).toBe(true);
  });
});
