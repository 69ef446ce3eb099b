/**
 * What to add when a refused `metadata.name` differs from the derived one only in dots written for dashes,
 * as the original's samples spell them (`labring.cert.manager.v1.7.0` for `labring/cert-manager:v1.7.0`).
 * Such a name is refused rather than taken as an alias: a dotted form stands for several spec.names
 * (`a-b/c:v1` and `a/b-c:v1` are both `a.b.c.v1`), and every lookup by metadata.name would need both.
 * Empty when the names differ otherwise.
 */
export function dottedNameHint(given: string | undefined, derived: string): string {
  if (given === undefined || given === derived || !derived.includes('-')) return '';
  if (given.replaceAll('-', '.') !== derived.replaceAll('-', '.')) return '';
  return `; "${given}" writes the name's dashes as dots, as the original's samples did, which is not accepted as an alias because a dotted name can stand for more than one spec.name`;
}
