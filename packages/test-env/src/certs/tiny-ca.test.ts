import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority, subjectName } from './tiny-ca.ts';

describe('createCertificateAuthority', () => {
  it('issues a server certificate for localhost and 127.0.0.1 that the CA verifies', async () => {
    const ca = await createCertificateAuthority('test-ca');
    const server = await ca.issue({
      commonName: 'localhost',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
    });
    const caCert = new X509Certificate(ca.certPem);
    const cert = new X509Certificate(server.certPem);
    expect(caCert.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
    expect(server.keyPem).toContain('BEGIN PRIVATE KEY');
  });

  it('puts the user in CN and each group in its own O for client certificates', async () => {
    const ca = await createCertificateAuthority('client-ca');
    const user = await ca.issue({ commonName: 'alice', organizations: ['dev', 'ops'], usage: 'client' });
    const cert = new X509Certificate(user.certPem);
    expect(cert.subject.split('\n')).toEqual(['CN=alice', 'O=dev', 'O=ops']);
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.2');
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
  });
});

describe('subjectName', () => {
  it('escapes DN special characters', () => {
    expect(subjectName('a,b', ['x=y'])).toBe('CN=a\\,b, O=x\\=y');
  });
});
