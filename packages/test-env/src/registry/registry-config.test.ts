import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderRegistryConfig } from './registry-config.ts';

describe('renderRegistryConfig', () => {
  it('serves the storage directory on loopback', () => {
    const config = parse(
      renderRegistryConfig({ port: 5000, storageDir: '/s', readOnly: false, secret: 'x' }),
    );
    expect(config.http.addr).toBe('127.0.0.1:5000');
    expect(config.storage.filesystem.rootdirectory).toBe('/s');
    expect(config.storage.maintenance.readonly.enabled).toBe(false);
    expect(config.storage.delete.enabled).toBe(true);
  });

  it('turns on maintenance read-only mode and disables deletes for readOnly', () => {
    const config = parse(renderRegistryConfig({ port: 5000, storageDir: '/s', readOnly: true, secret: 'x' }));
    expect(config.storage.maintenance.readonly.enabled).toBe(true);
    expect(config.storage.maintenance.uploadpurging.enabled).toBe(false);
    expect(config.storage.delete.enabled).toBe(false);
  });

  it('adds token authentication only when asked', () => {
    const auth = {
      realm: 'http://127.0.0.1:1/token',
      service: 'hub',
      issuer: 'hub-token',
      rootCertBundle: '/b.pem',
    };
    const config = parse(
      renderRegistryConfig({ port: 5000, storageDir: '/s', readOnly: false, secret: 'x', auth }),
    );
    expect(config.auth.token).toEqual({
      realm: auth.realm,
      service: 'hub',
      issuer: 'hub-token',
      rootcertbundle: '/b.pem',
    });
    expect(
      parse(renderRegistryConfig({ port: 5000, storageDir: '/s', readOnly: false, secret: 'x' })).auth,
    ).toBe(undefined);
  });
});
