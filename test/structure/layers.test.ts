/**
 * The architecture's rules that a grep can check and an import graph cannot (issue 9 "Structure").
 * Which way imports point (DESIGN.md "Which way dependencies point") is dependency-cruiser's, in
 * .dependency-cruiser.cjs (`npm run layers`).
 */
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? tsFiles(full) : full.endsWith(".ts") ? [full] : [];
  });
}

const rel = (file: string): string => path.relative(ROOT, file);

describe("structure", () => {
  it("one psql runner: only pg/tools.ts starts PostgreSQL client tools, only pg/psql.ts builds psql's query flags", () => {
    const offenders: string[] = [];
    for (const f of tsFiles(path.join(ROOT, "recovery"))) {
      const text = readFileSync(f, "utf8");
      if (rel(f) !== "recovery/pg/tools.ts" && /pgToolPath\(/.test(text)) offenders.push(`${rel(f)} finds a client tool itself`);
      if (rel(f) !== "recovery/pg/psql.ts" && /"-A",\s*"-t"|"-At"|"-XAt"/.test(text)) offenders.push(`${rel(f)} runs psql with its own output format`);
    }
    assert.deepEqual(offenders, []);
  });

  it("nothing test-only in the production tree: no fake, stand-in or stub lives under recovery/ or infra/ (that nothing there imports from test/ is a layer rule)", () => {
    const offenders: string[] = [];
    for (const f of [...tsFiles(path.join(ROOT, "recovery")), ...tsFiles(path.join(ROOT, "infra"))]) {
      if (/(^|[-_/])(fake|stub|stand-?in|mock)s?[-_.]/i.test(path.basename(f)) && rel(f) !== "recovery/plan/mocks.ts") offenders.push(`${rel(f)} is named like a test double`);
      const text = readFileSync(f, "utf8");
      if (/export (class|function|const) (Fake|Stub)[A-Z]/.test(text)) offenders.push(`${rel(f)} exports a test double`);
    }
    assert.deepEqual(offenders, []);
  });
});

