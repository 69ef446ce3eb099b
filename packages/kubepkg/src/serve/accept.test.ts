import { describe, expect, it } from 'vitest';
import { acceptedTypes, manifestMediaType, negotiate } from './accept.ts';

const LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER = 'application/vnd.docker.distribution.manifest.v2+json';

describe('manifest negotiation', () => {
  it('parses Accept lists with parameters and wildcards', () => {
    expect(acceptedTypes(`${DOCKER}; q=0.9, ${LIST}`)).toEqual(new Set([DOCKER, LIST]));
    expect(acceptedTypes('*/*')).toBeUndefined();
    expect(acceptedTypes(undefined)).toBeUndefined();
  });
  it('refuses OCI types to clients that do not accept them', () => {
    expect(negotiate(OCI_INDEX, new Set([DOCKER, LIST]), true)).toMatchObject({ serve: false });
    expect(negotiate(OCI_INDEX, new Set([OCI_INDEX]), true)).toEqual({ serve: true });
  });
  it('answers a docker list fetched by tag with the amd64 child when lists are not accepted', () => {
    expect(negotiate(LIST, new Set([DOCKER]), true)).toEqual({ amd64Child: true });
    expect(negotiate(LIST, new Set([DOCKER]), false)).toEqual({ serve: true });
  });
  it('detects the media type by shape when mediaType is empty', () => {
    expect(manifestMediaType(Buffer.from('{"schemaVersion":2,"manifests":[]}'))).toBe(OCI_INDEX);
    expect(manifestMediaType(Buffer.from(`{"mediaType":"${DOCKER}"}`))).toBe(DOCKER);
  });
});
