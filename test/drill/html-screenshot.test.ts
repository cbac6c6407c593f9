/**
 * The drill's HTML report as a browser draws it: Debian's headless Chromium (installed by
 * scripts/system-deps.ts, npm test's pretest) screenshots the page, pngjs decodes the PNG, and the
 * picture must not be blank: many non-white pixels, many colours, and the timeline's and trend's
 * own colours present. As root, Chromium runs in a new network namespace with no network at all
 * (`unshare -n`): the page needs nothing from anywhere and Chromium downloads nothing to start.
 *
 * AYTQ_KEEP_SCREENSHOT=<file> keeps a copy of the screenshot to look at.
 */
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { PNG } from "pngjs";
import { writeReport } from "../../recovery/drill/write-report";
import { HOSTILE, sampleReport } from "./report-fixtures";

const CHROMIUM = "chromium";
const WIDTH = 1200;
const HEIGHT = 900;
const TIMEOUT_MS = 60_000;

const isRoot = process.getuid?.() === 0;
/** `unshare -n` works here (root, and the container lets us make a network namespace). */
const canIsolate = isRoot && spawnSync("unshare", ["-n", "--", "true"]).status === 0;

/** Runs Chromium headless to screenshot `url` into `png`; resolves with its exit code and output, kills it after TIMEOUT_MS. */
function screenshot(url: string, png: string, profile: string): Promise<{ code: number | null; output: string; ms: number }> {
  const flags = [
    "--headless",
    ...(isRoot ? ["--no-sandbox"] : []),
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    `--user-data-dir=${profile}`,
    `--screenshot=${png}`,
    `--window-size=${WIDTH},${HEIGHT}`,
    url,
  ];
  const [command, args] = canIsolate ? ["unshare", ["-n", "--", CHROMIUM, ...flags]] : [CHROMIUM, flags];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], detached: true, env: { ...process.env, HOME: profile } });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, TIMEOUT_MS);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

const hex = (r: number, g: number, b: number): string => `#${[r, g, b].map((v) => v.toString(16).padStart(2, "0")).join("")}`;

describe("drill report: the HTML page in headless Chromium", function () {
  this.timeout(TIMEOUT_MS + 30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "aytq-report-shot-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("draws the timeline and the trend: the screenshot is not blank and has their colours", async () => {
    assert.equal(spawnSync("sh", ["-c", `command -v ${CHROMIUM}`]).status, 0, "chromium is not installed: npm test's pretest (scripts/system-deps.ts) installs it, or apt-get install chromium");
    const reports = path.join(dir, "reports");
    // three earlier drills in the folder, so the trend has lines
    for (const [i, rto, rpo] of [[1, 12, 0.8], [2, 15.5, 1.6], [3, 14, 1.1]] as const) {
      writeReport(reports, sampleReport({ runId: `earlier-${i}`, startedAt: `2024-07-2${i}T06:00:00.000Z`, rtoSeconds: rto, rpoSeconds: rpo, green: i !== 2 }));
    }
    const r = sampleReport({ steps: [...sampleReport().steps, ...HOSTILE.slice(0, 2).map((name, i) => ({ name, status: "done" as const, startedAt: `2024-07-24T06:01:2${2 + i}.000Z`, endedAt: `2024-07-24T06:01:2${2 + i}.800Z`, durationSeconds: 0.8 }))] });
    const html = writeReport(reports, r).html;
    const png = path.join(dir, "shot.png");
    const shot = await screenshot(pathToFileURL(html).href, png, path.join(dir, "profile"));
    console.log(`      chromium screenshot took ${shot.ms} ms${canIsolate ? " (no network: unshare -n)" : ""}`);
    assert.equal(shot.code, 0, shot.output);
    assert.ok(existsSync(png), `no screenshot written:\n${shot.output}`);
    if (process.env.AYTQ_KEEP_SCREENSHOT) copyFileSync(png, process.env.AYTQ_KEEP_SCREENSHOT);

    const image = PNG.sync.read(readFileSync(png));
    assert.deepEqual([image.width, image.height], [WIDTH, HEIGHT]);
    const counts = new Map<string, number>();
    let nonWhite = 0;
    for (let i = 0; i < image.data.length; i += 4) {
      const [red, green, blue] = [image.data[i], image.data[i + 1], image.data[i + 2]];
      if (red < 245 || green < 245 || blue < 245) nonWhite++;
      const key = hex(red, green, blue);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const total = WIDTH * HEIGHT;
    assert.ok(nonWhite > total * 0.03, `only ${nonWhite} of ${total} pixels are not white: the page looks blank`);
    assert.ok(counts.size > 50, `only ${counts.size} colours`);
    // solid fills of the page's own colours: done bars, the GREEN badge, the RTO line and dots, the RPO dots, the incident marker
    for (const [what, colour, least] of [
      ["done step bars and the GREEN badge", "#2e7d32", 2000],
      ["RTO span and trend", "#1565c0", 300],
      ["RPO span and trend", "#ef6c00", 300],
      ["incident marker", "#c62828", 50],
    ] as const) {
      assert.ok((counts.get(colour) ?? 0) >= least, `${what}: ${counts.get(colour) ?? 0} pixels of ${colour}`);
    }
  });

  it("control: an empty page screenshots all white, so the count above tells a drawn page from a blank one", async () => {
    writeFileSync(path.join(dir, "blank.html"), "<!doctype html><html><body></body></html>");
    const png = path.join(dir, "blank.png");
    const shot = await screenshot(pathToFileURL(path.join(dir, "blank.html")).href, png, path.join(dir, "profile"));
    assert.equal(shot.code, 0, shot.output);
    const image = PNG.sync.read(readFileSync(png));
    let nonWhite = 0;
    for (let i = 0; i < image.data.length; i += 4) if (image.data[i] < 245 || image.data[i + 1] < 245 || image.data[i + 2] < 245) nonWhite++;
    assert.equal(nonWhite, 0, "a blank page screenshots all white");
  });
});
