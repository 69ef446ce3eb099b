import { webcrypto } from 'node:crypto';
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

/** A PEM certificate and its PKCS#8 PEM private key. */
export interface CertificatePem {
  certPem: string;
  keyPem: string;
}

/** What to put in a certificate that a {@link CertificateAuthority} issues. */
export interface IssueOptions {
  /** Subject CN: the user name for client certificates. */
  commonName: string;
  /** Subject O values: the groups for client certificates. */
  organizations?: readonly string[];
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  usage: 'server' | 'client';
}

/** An in-process certificate authority, like envtest's TinyCA. */
export interface CertificateAuthority extends CertificatePem {
  issue(options: IssueOptions): Promise<CertificatePem>;
}

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const crypto = webcrypto;
// ECDSA P-256: fast to generate, and accepted by Go's TLS stack for serving and client certificates.
const ALGORITHM: webcrypto.EcKeyGenParams & webcrypto.EcdsaParams = {
  name: 'ECDSA',
  namedCurve: 'P-256',
  hash: 'SHA-256',
};
const DAY = 24 * 60 * 60 * 1000;

async function generateKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

function serial(): string {
  // Positive 16-byte serial (top bit cleared).
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

function validity(): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - DAY), notAfter: new Date(now + 365 * DAY) };
}

/** Escapes a value for an RFC 4514 distinguished-name string. */
export function escapeDnValue(value: string): string {
  return value.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`).replace(/^[ #]|[ ]$/g, (c) => `\\${c}`);
}

/** Builds the subject DN: `CN=<name>` followed by one `O=` per group. */
export function subjectName(commonName: string, organizations: readonly string[] = []): string {
  return [`CN=${escapeDnValue(commonName)}`, ...organizations.map((o) => `O=${escapeDnValue(o)}`)].join(', ');
}

/** Creates a self-signed CA (ECDSA P-256, one year) that issues server and client certificates. */
export async function createCertificateAuthority(name: string): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial(),
      name: subjectName(name),
      ...validity(),
      signingAlgorithm: ALGORITHM,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const keyPem = await privateKeyPem(keys.privateKey);
  return {
    certPem: cert.toString('pem'),
    keyPem,
    async issue(options) {
      const leafKeys = await generateKeys();
      const names = [
        ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
        ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
      ];
      const extensions: x509.Extension[] = [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.ExtendedKeyUsageExtension(
          [options.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
          false,
        ),
        await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ];
      if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
      const leaf = await x509.X509CertificateGenerator.create(
        {
          serialNumber: serial(),
          subject: subjectName(options.commonName, options.organizations),
          issuer: cert.subject,
          ...validity(),
          signingAlgorithm: ALGORITHM,
          publicKey: leafKeys.publicKey,
          signingKey: keys.privateKey,
          extensions,
        },
        crypto,
      );
      return { certPem: leaf.toString('pem'), keyPem: await privateKeyPem(leafKeys.privateKey) };
    },
  };
}
