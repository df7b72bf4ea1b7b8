/** The registry harness's own pieces: bcrypt, the token-signing certificate, binary lookup. */
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bcrypt, findRegistryBinary, libtrustKeyId, selfSignedCertificate } from '../helpers/registry.js';

describe('registry harness', () => {
  it('computes bcrypt like OpenBSD (crypt_blowfish test vectors)', () => {
    expect(bcrypt('U*U', 5, 'CCCCCCCCCCCCCCCCCCCCC.', '2a')).toBe('$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW');
    expect(bcrypt('U*U*', 5, 'CCCCCCCCCCCCCCCCCCCCC.', '2a')).toBe('$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK');
    expect(bcrypt('', 6, 'DCq7YPn5Rq63x1Lad4cll.', '2a')).toBe('$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.');
    expect(bcrypt('pw')).toMatch(/^\$2y\$04\$[./A-Za-z0-9]{53}$/);
  });

  it('builds self-signed certificates that parse and verify, and libtrust key ids', () => {
    // Many rounds: random serials and signatures must always be valid DER.
    for (let i = 0; i < 300; i++) {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pem = selfSignedCertificate(privateKey, publicKey, 'test-issuer');
      const cert = new X509Certificate(pem);
      expect(cert.subject).toBe('CN=test-issuer');
      expect(cert.verify(publicKey)).toBe(true);
      expect(cert.publicKey.export({ type: 'spki', format: 'der' })).toEqual(publicKey.export({ type: 'spki', format: 'der' }));
      expect(libtrustKeyId(publicKey)).toMatch(/^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
    }
  });

  it('fails loudly, never skips, when docker-registry is missing', () => {
    const saved = process.env.DOCKER_REGISTRY_BIN;
    process.env.DOCKER_REGISTRY_BIN = '/nonexistent/docker-registry';
    try {
      expect(() => findRegistryBinary()).toThrow(/apt-get install -y docker-registry/);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_REGISTRY_BIN;
      else process.env.DOCKER_REGISTRY_BIN = saved;
    }
    expect(findRegistryBinary()).toMatch(/docker-registry$/);
  });
});
