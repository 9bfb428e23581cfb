/**
 * Reads the totals off a JUnit XML report's root element (as `deno test --junit-path` writes it), for
 * scripts/deno_test.ts: a report only counts when it is complete, i.e. closes its root element.
 */

/** Totals of the report's root element, or undefined when there is no complete report. */
export function junitTotals(xml: string): { tests: number; failures: number; errors: number } | undefined {
  const root = /<testsuites\b([^>]*)>/.exec(xml);
  if (!root || !xml.trimEnd().endsWith('</testsuites>')) return undefined;
  const attr = (name: string): number => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(root[1])?.[1] ?? NaN);
  const totals = { tests: attr('tests'), failures: attr('failures'), errors: attr('errors') };
  return Object.values(totals).every(Number.isInteger) ? totals : undefined;
}
