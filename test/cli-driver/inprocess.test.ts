/**
 * aytq-dr's converging commands in-process, with a fake terminal (CliIO) and the fake stack:
 * the production prompt, confirmation prompts, --dry-run for every converging command, the PTR
 * window from the stack's earliestRestoreDate, tidy's and the gate's messages, status.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../recovery/cli/main";
import type { CliIO } from "../../recovery/cli/io";
import { readStackConfig } from "../../recovery/config/stackfile";
import { defaultCopyName } from "../../recovery/config/copy-name";
import { FakeStackPort } from "../helpers/fake-stack";
import { FakeAzure } from "../helpers/azure/port";
import { PLAN_SUBSCRIPTION_ID } from "../../recovery/plan/mocks";
import { RecordingIO } from "../helpers/cli-io";
import { APP_PASSWORD, APP_URL, DELETED_AT } from "../ops/recover-harness";
import type { RawConfig } from "../../infra/config";
import { PULUMI_TYPES } from "../../infra/types";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d{3}Z$/, "Z");
const COPY = { name: "copy-a", restorePointUTC: "2024-07-20T00:00:00Z", createdAtUTC: "2024-07-20T01:00:00Z" };

/** main() reads argv as node gives it: the runtime and the script first. */
const run = (args: string[], io: CliIO) => main(["node", "aytq-dr", ...args], io);

/** The shared recording terminal over the fake engine: its simulated Azure, and the app's Secret for a rebuild. */
class FakeTerminal extends RecordingIO {
  constructor(
    readonly stack: FakeStackPort,
    isTTY: boolean,
    answers: string[] = [],
    stateDir = "",
  ) {
    super(stack, { isTTY, answers, env: { AYTQ_DR_STATE_DIR: stateDir, AZURE_SUBSCRIPTION_ID: PLAN_SUBSCRIPTION_ID } });
    this.azure = stack.azure;
  }
  override async openStack(stack: string, signal?: AbortSignal): Promise<FakeStackPort> {
    assert.equal(stack, this.stack.stackName);
    await super.openStack(stack, signal);
    return this.stack;
  }
  /** The app's Secret: its DATABASE_URL holds credentials the stack never generated. */
  async readSecret(_namespace: string, _name: string, key: string): Promise<string> {
    assert.equal(key, "DATABASE_URL");
    const s = this.stack.settings();
    return APP_URL(s.database.serverName, s.database.databaseName);
  }
}

function fakeStack(stack: "test" | "production" = "test", extra: (raw: RawConfig) => void = () => undefined): FakeStackPort {
  const raw = readStackConfig(stack);
  extra(raw);
  return new FakeStackPort(stack, raw);
}
const withCopy = (raw: RawConfig) => {
  (raw.recovery as Record<string, unknown>).ptrCopies = [COPY];
};
const changes = (port: FakeStackPort) => port.calls.filter((c) => /^(setConfig|removeConfig|refresh|up)\b/.test(c));

describe("aytq-dr in-process: prompts and guards", () => {
  it("production on a terminal: --confirm-production, then the stack name typed, then the y/N confirmation", async () => {
    const port = fakeStack("production");
    const io = new FakeTerminal(port, true, ["production", "y"]);
    assert.equal(await run(["stop", "--stack", "production", "--confirm-production"], io), 0, io.errText);
    assert.match(io.asked[0], /Type the stack name \(production\)/);
    assert.match(io.asked[1], /Apply stop .* to stack production\? \[y\/N\]/);
    assert.equal(port.settings().app.stopped, true);
    assert.ok(port.calls.includes("up"));
  });

  it("production on a terminal: a wrong stack name refuses before the stack is opened", async () => {
    const port = fakeStack("production");
    const io = new FakeTerminal(port, true, ["prod"]);
    assert.equal(await run(["stop", "--stack", "production", "--confirm-production", "--yes"], io), 3);
    assert.match(io.errText, /you typed "prod", not "production": nothing was changed/);
    assert.deepEqual(io.opened, []);
  });

  it("production on a terminal with --yes still asks for the stack name, but not y/N", async () => {
    const port = fakeStack("production");
    const io = new FakeTerminal(port, true, ["production"]);
    assert.equal(await run(["stop", "--stack", "production", "--confirm-production", "--yes"], io), 0, io.errText);
    assert.equal(io.asked.length, 1);
    assert.equal(port.settings().app.stopped, true);
  });

  it("production without a terminal: --confirm-production and --yes apply without any prompt", async () => {
    const port = fakeStack("production");
    const io = new FakeTerminal(port, false);
    assert.equal(await run(["stop", "--stack", "production", "--confirm-production", "--yes"], io), 0, io.errText);
    assert.equal(port.settings().app.stopped, true);
  });

  it("a terminal answer of N applies nothing, exits 3 and says the config was rolled back", async () => {
    const port = fakeStack();
    const io = new FakeTerminal(port, true, ["n"]);
    assert.equal(await run(["maintenance", "on", "--stack", "test"], io), 3);
    assert.match(io.errText, /maintenance on declined: nothing was applied; the config change was rolled back \(aytq:app\.maintenance as before\)/);
    assert.equal(port.settings().app.maintenance, false);
    assert.ok(!port.calls.includes("up"));
  });
});

describe("aytq-dr in-process: --dry-run stops after the preview for every converging command", () => {
  // freeze and unfreeze are holds through the pipeline stack, not this stack's config: freeze.test.ts
  const commands: [string, string[]][] = [
    ["stop", ["stop"]],
    ["start", ["start"]],
    ["maintenance on", ["maintenance", "on"]],
    ["maintenance off", ["maintenance", "off"]],
    ["revive", ["revive", "--at", iso(60 * MIN), "--deleted-at", iso(90 * MIN)]],
    ["rebuild", ["rebuild"]],
    ["ptr", ["ptr", "--at", iso(60 * MIN)]],
    ["tidy --name", ["tidy", "--name", COPY.name]],
    ["tidy --all", ["tidy", "--all"]],
  ];
  for (const [what, args] of commands) {
    for (const form of ["--dry-run", "preview"] as const) {
      it(`${form === "preview" ? `preview ${what}` : `${what} --dry-run`}: previews, applies nothing, config as it was`, async () => {
        const port = fakeStack("test", withCopy);
        const before = structuredClone(port.config);
        const io = new FakeTerminal(port, false);
        const argv = form === "preview" ? ["preview", ...args, "--stack", "test"] : [...args, "--stack", "test", "--dry-run"];
        assert.equal(await run(argv, io), 0, io.errText);
        assert.ok(port.calls.includes("preview"), "previewed");
        assert.ok(!port.calls.includes("up"), "no up");
        assert.ok(!port.calls.some((c) => c.startsWith("refresh")), "no refresh");
        assert.deepEqual(port.config, before);
        assert.match(io.outText, /dry run: .* passes the gate/);
      });
    }
  }
});

describe("aytq-dr in-process: the PTR window comes from the stack's earliestRestoreDate", () => {
  it("refuses a restore point older than the server's earliest restore date, reading only outputs", async () => {
    const port = fakeStack();
    port.earliestRestoreDate = iso(1 * DAY);
    const io = new FakeTerminal(port, false);
    assert.equal(await run(["ptr", "--stack", "test", "--at", iso(2 * DAY), "--yes"], io), 2);
    assert.match(io.errText, /older than the server's earliest restore point: the earliest restorable point is/);
    assert.match(io.errText, /\(UTC\) = .* \(UK local time\)/);
    assert.deepEqual(changes(port), []);
    assert.ok(!port.calls.includes("preview"));
  });

  it("preview ptr applies the same rule", async () => {
    const port = fakeStack();
    port.earliestRestoreDate = iso(1 * DAY);
    const io = new FakeTerminal(port, false);
    assert.equal(await run(["preview", "ptr", "--stack", "test", "--at", iso(2 * DAY)], io), 2);
    assert.match(io.errText, /earliest restore point/);
    assert.ok(!port.calls.includes("preview"));
  });

  it("accepts a point older than 7 days when the server keeps backups from earlier still", async () => {
    const port = fakeStack();
    port.earliestRestoreDate = iso(7 * DAY + 2 * 60 * MIN);
    const io = new FakeTerminal(port, false);
    assert.equal(await run(["ptr", "--stack", "test", "--at", iso(7 * DAY + 60 * MIN), "--dry-run"], io), 0, io.errText);
    assert.match(io.errText, /restore window: from .* \(the server's earliest restore date\)/);
  });

  it("falls back to 7 days, saying why, when Azure has not reported the earliest restore date yet", async () => {
    const port = fakeStack();
    const io = new FakeTerminal(port, false);
    assert.equal(await run(["ptr", "--stack", "test", "--at", iso(7 * DAY + 60 * MIN), "--dry-run"], io), 2);
    assert.match(io.errText, /restore window: the last 7 days \(backup retention\): Azure has not reported the server's earliest restore date yet/);
    assert.match(io.errText, /older than 7 days of backup retention/);
  });

  it("refuses a time in the future without opening the stack", async () => {
    const port = fakeStack();
    const io = new FakeTerminal(port, false);
    assert.equal(await run(["ptr", "--stack", "test", "--at", iso(-60 * MIN), "--dry-run"], io), 2);
    assert.deepEqual(io.opened, []);
  });
});

describe("aytq-dr in-process: ptr names and tidy", () => {
  it("a second ptr in the same minute gets the next free default name instead of a refusal", async () => {
    const port = fakeStack();
    const io = new FakeTerminal(port, false);
    const live = port.settings().database.serverName;
    // the copy of this minute and of the next (the command may start after the minute turns) exist already
    const taken = [Date.now(), Date.now() + MIN].map((t) => ({ name: defaultCopyName(live, new Date(t)), restorePointUTC: iso(DAY) }));
    port.config.recovery = { ...(port.config.recovery as object), ptrCopies: taken };
    await port.up();
    assert.equal(await run(["ptr", "--stack", "test", "--at", iso(60 * MIN), "--yes"], io), 0, io.errText);
    const names = port.settings().recovery.ptrCopies.map((c) => c.name);
    assert.equal(names.length, 3);
    assert.match(names[2], new RegExp(`^${live}-ptr-\\d{12}-2$`));
    assert.ok(!taken.some((t) => t.name === names[2]));
  });

  it("tidy --name of a copy that does not exist says which exist, and changes nothing", async () => {
    const port = fakeStack("test", withCopy);
    const io = new FakeTerminal(port, false);
    assert.equal(await run(["tidy", "--stack", "test", "--name", "copy-b", "--yes"], io), 2);
    assert.match(io.errText, /no copy named copy-b; existing copies: copy-a; nothing was changed/);
    assert.match(io.errText, /fix: use one of those names with --name, or --all/);
    assert.deepEqual(changes(port), []);
  });
});

describe("aytq-dr in-process: the gate's message", () => {
  const deleteLive = (port: FakeStackPort) => {
    const live = port.settings().database.serverName;
    port.extraSteps = [{ op: "delete", type: PULUMI_TYPES.server, name: live, urn: `urn:pulumi:test::aytq::${PULUMI_TYPES.server}::live-server`, protected: true }];
  };

  it("lists each offending resource, says the config was rolled back and what to do", async () => {
    const port = fakeStack();
    deleteLive(port);
    const io = new FakeTerminal(port, false);
    assert.equal(await run(["stop", "--stack", "test", "--yes"], io), 3);
    assert.match(io.errText, /delete azure-native:dbforpostgresql:Server "s189t01-aytq-ts-pg": would delete a protected resource/);
    assert.match(io.errText, /urn:pulumi:test::aytq::azure-native:dbforpostgresql:Server::live-server/);
    assert.match(io.errText, /nothing was applied; the config change was rolled back \(aytq:app\.stopped as before\)/);
    assert.match(io.errText, /fix: do not force it\. Run `pulumi preview --diff --stack test`/);
    assert.equal(port.settings().app.stopped, false);
  });

  it("when the rollback itself fails, says so and gives the commands that put the keys back", async () => {
    const port = fakeStack();
    deleteLive(port);
    let writes = 0;
    port.onCall = (call) => {
      if (call.startsWith("setConfig") && ++writes === 2) throw new Error("disk full");
    };
    const io = new FakeTerminal(port, false);
    assert.equal(await run(["stop", "--stack", "test", "--yes"], io), 3);
    assert.match(io.errText, /the config could NOT be rolled back: put these keys back by hand: pulumi config set --path aytq:app\.stopped false --stack test/);
    assert.doesNotMatch(io.errText, /config change was rolled back/);
  });
});

describe("aytq-dr in-process: secrets and status", () => {
  it("masks a password that appears in the preview's diff", async () => {
    const port = fakeStack();
    port.extraDiff = "  ~ env: DATABASE_URL=postgres://app:s3cr3t-pw@db.internal:5432/aytq";
    const io = new FakeTerminal(port, false);
    assert.equal(await run(["stop", "--stack", "test", "--yes"], io), 0, io.errText);
    assert.match(io.errText, /postgres:\/\/app:\*\*\*@db\.internal/);
    assert.doesNotMatch(io.errText + io.outText, /s3cr3t-pw/);
  });

  it("status shows the copies with their age and the server's earliest restore point", async () => {
    const port = fakeStack("test", withCopy);
    await port.up();
    port.earliestRestoreDate = "2024-07-17T06:02:11Z";
    const io = new FakeTerminal(port, false);
    assert.equal(await run(["status", "--stack", "test"], io), 0, io.errText);
    assert.match(io.outText, /copy-a at 2024-07-20T00:00:00Z, created 2024-07-20T01:00:00Z \(\d+ days old\)/);
    assert.match(io.outText, /restore from: 2024-07-17T06:02:11Z/);
  });
});

describe("aytq-dr in-process: state dir", () => {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), "aytq-inproc-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it("tidy --all with no copies changes nothing", async () => {
    const port = fakeStack();
    const io = new FakeTerminal(port, false, [], dir);
    assert.equal(await run(["tidy", "--stack", "test", "--all", "--yes"], io), 0, io.errText);
    assert.match(io.outText, /nothing to change/);
    assert.ok(!port.calls.includes("up"));
  });
});

describe("aytq-dr in-process: revive whose return to normal does not finish", () => {
  /** Once the server is back, a change the way back does not expect: its gate refuses (from the second preview on). */
  const strayAfterCreate = (port: FakeStackPort) => {
    let previews = 0;
    port.onCall = (call) => {
      if (call === "preview" && ++previews === 2) {
        port.extraSteps = [{ op: "create", type: PULUMI_TYPES.branchProtection, name: "stray", urn: `urn:pulumi:test::aytq::${PULUMI_TYPES.branchProtection}::stray`, protected: false }];
      }
    };
  };

  it("exits 6 saying the server IS recovered and how to finish; re-running revive, or `normal`, finishes it", async () => {
    const port = fakeStack();
    const live = port.settings().database.serverName;
    await port.deleteServerInAzure(undefined, DELETED_AT);
    strayAfterCreate(port);
    const at = iso(60 * MIN);
    const io = new FakeTerminal(port, false);
    assert.equal(await run(["revive", "--stack", "test", "--at", at, "--yes"], io), 6);
    assert.match(io.errText, new RegExp(`aytq-dr: revive: the live server ${live} IS recovered; phases done: look, refresh, create\\.`));
    assert.match(io.errText, /the stack config says recovery\.mode=reviveDropped/);
    assert.match(io.errText, /fix: finish the return to normal/);
    assert.match(io.errText, /aytq-dr preview normal --stack test/);
    assert.doesNotMatch(io.outText, /applied/, "never reported as a success");
    assert.deepEqual(port.azure.serverCreates, [`ReviveDropped ${live}`]);

    // preview normal shows the refusal, changes nothing
    port.onCall = undefined;
    const look = new FakeTerminal(port, false);
    assert.equal(await run(["preview", "normal", "--stack", "test"], look), 3);
    assert.match(look.errText, /create github:index\/branchProtection:BranchProtection "stray": not expected by adopt/);
    assert.equal(port.settings().recovery.mode, "reviveDropped");

    // the cause is fixed; re-running the same revive only finishes (never revives twice)
    port.extraSteps = [];
    port.calls.length = 0;
    const again = new FakeTerminal(port, false);
    assert.equal(await run(["revive", "--stack", "test", "--at", at, "--yes"], again), 0, again.errText);
    assert.match(again.errText, /look: the live server .* exists in Azure .*: it is not revived again, only finished/);
    assert.ok(!port.calls.some((c) => c.startsWith("setConfig recovery.mode=reviveDropped")), "revive's config was already there");
    assert.deepEqual(port.azure.serverCreates, [`ReviveDropped ${live}`], "revived once");
    assert.equal(port.settings().recovery.mode, "normal");
    assert.equal((await port.outputs()).recoveryMode, "normal");
  });

  it("`aytq-dr normal` finishes a rebuild too, and is a no-op once normal", async () => {
    const port = fakeStack();
    await port.deleteServerInAzure(undefined, DELETED_AT);
    strayAfterCreate(port);
    const first = new FakeTerminal(port, false);
    assert.equal(await run(["rebuild", "--stack", "test", "--yes"], first), 6);
    assert.equal(port.settings().recovery.mode, "rebuild");
    const printed = first.errText + first.outText + port.calls.join("\n");
    assert.ok(!printed.includes(APP_PASSWORD) && !printed.includes(encodeURIComponent(APP_PASSWORD)), `the app's password is never printed:\n${printed}`);
    port.onCall = undefined;
    port.extraSteps = [];
    const io = new FakeTerminal(port, false);
    assert.equal(await run(["normal", "--stack", "test", "--yes"], io), 0, io.errText);
    assert.match(io.outText, /return to recovery\.mode=normal.*: applied/);
    assert.equal(port.settings().recovery.mode, "normal");
    assert.equal(port.settings().recovery.adminPassword, undefined, "the app's password left config");
    port.calls.length = 0;
    const twice = new FakeTerminal(port, false);
    assert.equal(await run(["normal", "--stack", "test", "--yes"], twice), 0, twice.errText);
    assert.ok(!port.calls.includes("up"));
  });
});

describe("aytq-dr in-process: production reads need no confirmation", () => {
  it("preview on production needs no --confirm-production and no typed name, and applies nothing", async () => {
    const port = fakeStack("production");
    const before = structuredClone(port.config);
    // a terminal with no answers: any question fails the test
    const io = new FakeTerminal(port, true);
    assert.equal(await run(["preview", "stop", "--stack", "production"], io), 0, io.errText);
    assert.match(io.errText, /production: preview only, nothing is applied/);
    assert.match(io.outText, /dry run: stop passes the gate/);
    assert.ok(port.calls.includes("preview"));
    assert.ok(!port.calls.includes("up"));
    assert.deepEqual(port.config, before);
  });

  it("--dry-run on production is the same as preview", async () => {
    const port = fakeStack("production");
    const before = structuredClone(port.config);
    const io = new FakeTerminal(port, false);
    assert.equal(await run(["stop", "--stack", "production", "--dry-run"], io), 0, io.errText);
    assert.ok(!port.calls.includes("up"));
    assert.deepEqual(port.config, before);
  });

  it("applying on production still needs --confirm-production", async () => {
    const port = fakeStack("production");
    const io = new FakeTerminal(port, false);
    assert.equal(await run(["freeze", "--stack", "production", "--yes"], io), 3);
    assert.match(io.errText, /--confirm-production/);
    assert.deepEqual(io.opened, []);
  });

  it("status on production needs no --confirm-production and only reads outputs", async () => {
    const port = fakeStack("production");
    const io = new FakeTerminal(port, true);
    assert.equal(await run(["status", "--stack", "production"], io), 0, io.errText);
    assert.match(io.outText, /stack: +production/);
    assert.match(io.outText, /real server: +as declared \(HA ZoneRedundant/);
    assert.deepEqual(port.calls, ["outputs"]);
    assert.deepEqual(io.asked, []);
  });

  it("status shows a real server that differs from the stack (HA off after a restore), which no Pulumi diff shows", async () => {
    const port = fakeStack("production");
    await port.ready();
    const s = port.settings();
    await port.azure.updateServer(s.resourceGroupName, s.database.serverName, { highAvailability: "Disabled" });
    const io = new FakeTerminal(port, false);
    assert.equal(await run(["status", "--stack", "production"], io), 0, io.errText);
    assert.match(io.outText, /real server: +DIFFERS from the stack: high availability: declared ZoneRedundant, actual Disabled \(aytq-dr normal converges it\)/);
    const json = new FakeTerminal(port, false);
    assert.equal(await run(["status", "--stack", "production", "--json"], json), 0);
    assert.equal((JSON.parse(json.outText) as { realServer: { differences: unknown[] } }).realServer.differences.length, 1);
  });
});

describe("aytq-dr in-process: errors", () => {
  it("masks a password in any error it prints, a bug's stack trace included", async () => {
    const stderr: string[] = [];
    const io: CliIO = {
      out: () => undefined,
      err: (t) => stderr.push(t),
      isTTY: false,
      env: {},
      openStack: async () => {
        throw new Error("could not reach postgres://aytq:S3cretPass@db.internal:5432/aytq");
      },
    };
    assert.equal(await run(["status", "--stack", "test"], io), 70);
    const text = stderr.join("\n");
    assert.match(text, /internal error/);
    assert.ok(!text.includes("S3cretPass"), text);
    assert.match(text, /postgres:\/\/aytq:\*\*\*@db\.internal/);
  });
});

describe("aytq-dr in-process: a production recovery whose identity may not write locks (issue 16)", () => {
  it("revive ends green with the warning and the one command; `aytq-dr lock` by someone with the role creates the lock", async () => {
    const azure = new FakeAzure({ subscriptionId: PLAN_SUBSCRIPTION_ID, roles: ["Contributor"] });
    const port = new FakeStackPort("production", readStackConfig("production"), { azure });
    await port.deleteServerInAzure(undefined, DELETED_AT);
    const io = new FakeTerminal(port, false);
    assert.equal(await run(["revive", "--stack", "production", "--confirm-production", "--yes", "--at", iso(60 * MIN)], io), 0, io.errText);
    assert.match(io.outText, /WARNING: the live server s189p01-aytq-pd-pg has NO delete lock: .* runs: aytq-dr lock --stack production --confirm-production/);
    assert.equal(port.settings().recovery.serverLockDeferred, true);
    azure.roles = ["Contributor", "User Access Administrator"];
    const owner = new FakeTerminal(port, false);
    assert.equal(await run(["lock", "--stack", "production", "--confirm-production", "--yes"], owner), 0, owner.errText);
    assert.match(owner.outText, /create the live server's delete lock.*: applied/);
    assert.equal(port.settings().recovery.serverLockDeferred, undefined);
    const server = await azure.getServer(port.settings().resourceGroupName, "s189p01-aytq-pd-pg");
    assert.equal(azure.locksOn(server!.id).length, 1);
  });
});
