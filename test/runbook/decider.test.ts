/** How a run's data decision is answered (runbook/decider.ts): a flag, or a person at a terminal shown the comparison first. */
import { strict as assert } from "node:assert";
import { decider, type DecisionTerminal } from "../../recovery/runbook/decider";
import type { DecisionFlags } from "../../recovery/runbook/decision";
import { RefusedError, UsageError } from "../../recovery/errors";

/** A terminal with these answers (none: no terminal), keeping what it printed and what it asked. */
/** `run --yes` (read by the command, never by the decider): the flags as the command hands them over. */
const YES: DecisionFlags & { yes: boolean } = { yes: true };

function terminal(answers?: string[]): DecisionTerminal & { lines: string[]; asked: string[] } {
  const lines: string[] = [];
  const asked: string[] = [];
  const io = { err: (t: string) => void lines.push(t), isTTY: answers !== undefined, lines, asked };
  if (!answers) return io;
  return {
    ...io,
    prompt: async (q: string) => {
      asked.push(q);
      const a = answers.shift();
      assert.ok(a !== undefined, `unexpected question: ${q}`);
      return a;
    },
  };
}

describe("run: decision points (runbook/decider.ts)", () => {
  const context = "2 of 5 tables differ";
  const CHOICES = ["whole", "tables", "undelete", "no"];
  it("on a terminal, shows the context, asks for one of the ways, re-asks a wrong answer, and takes empty as no", async () => {
    const io = terminal(["yes", "Tables", ""]);
    const decide = decider("data-loss", {}, io);
    assert.equal(decide.answersBy, "prompt");
    assert.equal(await decide("How should the copy come back?", context, CHOICES), "tables");
    assert.equal(await decide("How should the copy come back?", context, CHOICES), "no");
    assert.equal(io.asked.length, 3, "yes is not a way: asked again");
    assert.match(io.asked[0], /How should the copy come back\? \[whole\/tables\/undelete\/no; empty = no\]/);
    assert.ok(io.lines.includes(context), "the differences are shown before the question");
    const wrong = io.lines.find((l) => l.startsWith('"yes" is not one of'));
    assert.ok(wrong, io.lines.join("\n"));
    assert.match(wrong, /"whole" replaces all of live with the copy: everything written since the restore point is lost/);
  });
  it("on a terminal, offers only the choices the run gives (whole or no without the surgical tools)", async () => {
    const io = terminal(["undelete", "whole"]);
    assert.equal(await decider("data-loss", {}, io)("Q?", context, ["whole", "no"]), "whole");
    assert.match(io.asked[0], /\[whole\/no; empty = no\]/);
  });
  it("an explicit --restore-copy answers without a prompt, even on a terminal", async () => {
    const io = terminal([]);
    const decide = decider("data-loss", { restoreCopy: "undelete" }, io);
    assert.equal(decide.answersBy, "flag");
    assert.equal(await decide("How?", context, CHOICES), "undelete");
    assert.equal(await decider("data-loss", { restoreCopy: "no" }, io)("How?", context, CHOICES), "no");
    assert.equal(io.asked.length, 0);
  });
  it("--restore-copy yes is refused (exit 2), with a hint naming the ways and what each loses", () => {
    assert.throws(
      () => decider("data-loss", { restoreCopy: "yes" }, terminal()),
      (e: unknown) =>
        e instanceof UsageError &&
        e.exitCode === 2 &&
        /--restore-copy yes no longer answers/.test(e.message) &&
        /whole\|tables\|undelete\|no/.test(e.hint ?? "") &&
        /"whole" replaces all of live with the copy: everything written since the restore point is lost/.test(e.hint ?? "") &&
        /"undelete" .*nothing is lost/.test(e.hint ?? ""),
    );
  });
  it("--yes never answers the data decision: without a terminal it still needs --restore-copy", () => {
    assert.throws(() => decider("data-loss", YES, terminal()), (e: unknown) => e instanceof RefusedError && /never answers a question about data/.test(e.message));
  });
  it("--yes on a terminal still shows the comparison and asks", async () => {
    const io = terminal(["no"]);
    const decide = decider("data-loss", YES, io);
    assert.equal(decide.answersBy, "prompt");
    assert.equal(await decide("How?", context, CHOICES), "no");
    assert.deepEqual(io.asked, ["How? [whole/tables/undelete/no; empty = no] "]);
    assert.ok(io.lines.includes(context));
  });
  it("a resumed run past its decision needs no answer", () => {
    assert.doesNotThrow(() => decider("data-loss", {}, terminal(), ["copy-into-live", "start", "validate"]));
  });
  it("a resumed run past its decision refuses --restore-copy and --tables (exit 2), naming the way it keeps", () => {
    for (const flags of [{ restoreCopy: "whole" }, { tables: "users" }]) {
      assert.throws(
        () => decider("data-loss", flags, terminal(), ["copy-into-live", "start"], { way: "tables", tables: ["public.users"] }),
        (e: unknown) => e instanceof UsageError && /does not apply here: this run has decided "tables" \(public\.users\)/.test(e.message) && /leave out --/.test(e.hint ?? ""),
      );
    }
  });
  it("--tables goes only with the tables way: refused with another --restore-copy, and without a terminal unless tables is given", () => {
    assert.throws(() => decider("data-loss", { restoreCopy: "whole", tables: "users" }, terminal()), (e: unknown) => e instanceof UsageError && /--tables does not apply with --restore-copy whole/.test(e.message));
    assert.throws(() => decider("data-loss", { tables: "users" }, terminal()), (e: unknown) => e instanceof UsageError && /--tables does not apply here/.test(e.message));
    assert.doesNotThrow(() => decider("data-loss", { restoreCopy: "tables", tables: "users" }, terminal()));
    assert.doesNotThrow(() => decider("data-loss", { tables: "users" }, terminal([])), "at a terminal, tables may be chosen");
  });
  it("without a terminal and without an answer flag, refuses before the run starts", () => {
    assert.throws(() => decider("data-loss", {}, terminal()), (e: unknown) => e instanceof RefusedError && /--restore-copy no/.test(e.hint ?? "") && /--restore-copy whole\|tables\|undelete/.test(e.hint ?? ""));
  });
  it("a scenario without decisions needs no answer flag", () => {
    assert.doesNotThrow(() => decider("server-lost-revive", {}, terminal()));
  });
  it("refuses an answer that is not a way or no", () => {
    assert.throws(() => decider("data-loss", { restoreCopy: "maybe" }, terminal()), (e: unknown) => e instanceof UsageError && /expected whole, tables, undelete or no/.test(e.message));
  });
});
