// Thin layer over benny: runs named cases as one suite and returns each case's median time.
import { writeFileSync } from "node:fs";
import b from "benny";

export interface BenchCase {
  readonly name: string;
  readonly run: () => void;
}

export interface BenchOptions {
  /** Minimum sampling time per case in seconds (benny/benchmark.js `minTime`). */
  readonly minTime?: number;
  /** Maximum sampling time per case in seconds. */
  readonly maxTime?: number;
}

/** Runs the cases and returns median microseconds per call, keyed by case name. */
export async function medianMicroseconds(
  suiteName: string, cases: readonly BenchCase[], options: BenchOptions = {},
): Promise<Map<string, number>> {
  const config = { cases: { minTime: options.minTime ?? 0.5, maxTime: options.maxTime ?? 2, minSamples: 10 } };
  const summary = await b.suite(
    suiteName,
    b.configure(config),
    ...cases.map((c) => b.add(c.name, c.run)),
  );
  return new Map(summary.results.map((r) => [r.name, r.details.median * 1e6]));
}

/** Command-line flags: `--json FILE` and `--name value` pairs. */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith("--")) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith("--")) {
        flags.set(arg.slice(2), next);
        i++;
      } else {
        flags.set(arg.slice(2), "true");
      }
    }
  }
  return flags;
}

/** Prints rows as an aligned text table. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  console.log(line(headers));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
}

/** Writes `data` as pretty JSON when a file name is given. */
export function writeJson(file: string | undefined, data: unknown): void {
  if (file === undefined) return;
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  console.log(`wrote ${file}`);
}
