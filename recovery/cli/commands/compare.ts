/** `compare` (two databases, table by table; exit 1 when they differ) and `validate` (health URLs; exit 1 when one fails). */
import { healthUrls } from "../../../infra/config";
import { EXIT, UsageError } from "../../errors";
import { compareDatabases, formatComparison } from "../../data/compare";
import { checkCopyName } from "../../config/copy-name";
import { formatHealth, validateHealth } from "../../data/validate";
import { checkHttpUrl } from "../../util/urls";
import { parseAttempts, parseDeadlineSeconds } from "../numbers";
import { act, type RegisterCommand } from "../command";
import { asList, connectFor, printJson, settingsFor, using, type DataOptions } from "./data-common";

export const registerCompare: RegisterCommand = (program, io) => {
  program
    .command("compare")
    .description("compare two databases table by table: rows only in each and changed, by primary key (by content without one), counted inside PostgreSQL; A is live (the first --database-url), B the copy; exit 1 when they differ")
    .option("--stack <stack>", "test | preproduction | production")
    .option("--copy <name>", "PTR copy to compare with the live server")
    .option("--database-url <url>", "give twice to compare two databases directly (secret)", (v: string, acc: string[] = []) => [...acc, v])
    .option("--json", "print JSON")
    .action(
      act(io, async ({ io }, opts: DataOptions & { copy?: string }) => {
        if (opts.copy !== undefined) checkCopyName(opts.copy, "--copy");
        const settings = settingsFor(opts.stack);
        const urls = asList(opts.databaseUrl);
        if (urls.length !== 0 && urls.length !== 2) throw new UsageError("give --database-url twice (A and B), or --stack with --copy");
        if (urls.length === 0 && !opts.copy) throw new UsageError("nothing to compare", "pass --stack S --copy <ptr-name>, or two --database-url");
        const a = await connectFor(urls[0], undefined, settings, io);
        const result = await using(a, async (ca) => {
          const b = await connectFor(urls[1], opts.copy, settings, io);
          return using(b, async (cb) => ({ labels: { a: ca.label, b: cb.label }, result: await compareDatabases(ca, cb) }));
        });
        if (opts.json) printJson(io, { ...result.result, a: result.labels.a, b: result.labels.b });
        else {
          const names = opts.copy !== undefined ? { a: "live", b: "copy" } : { a: "A", b: "B" };
          io.out(`${names.a} = ${result.labels.a}\n${names.b} = ${result.labels.b}\n` + formatComparison(result.result, names, io.isTTY));
        }
        return result.result.equal ? EXIT.ok : EXIT.different;
      }),
    );
};

/** The host of a --url, or a UsageError (a typo must not print a stack trace). The URL may hold credentials: never quoted. */
function healthUrlHost(url: string): string {
  return checkHttpUrl(url, { what: "--url", example: "https://host/health/all.json" }).host;
}

function nothingToValidate(): never {
  throw new UsageError("validate has nothing to check", "pass --stack S (its health URLs) or --url <url>");
}

export const registerValidate: RegisterCommand = (program, io) => {
  program
    .command("validate")
    .description("GET every health URL with retries; exit 1 if any fails")
    .option("--stack <stack>", "test | preproduction | production")
    .option("--url <url>", "a health URL to check instead of the stack's (repeatable)", (v: string, acc: string[] = []) => [...acc, v])
    .option("--deadline-seconds <n>", "overall deadline, in seconds (at most a day)", parseDeadlineSeconds)
    .option("--attempts <n>", "attempts per URL (1 to 100)", parseAttempts)
    .option("--json", "print JSON")
    .action(
      act(io, async ({ io }, opts: { stack?: string; url?: string[]; deadlineSeconds?: number; attempts?: number; json?: boolean }) => {
        const targets = opts.url?.length ? opts.url.map((url) => ({ service: healthUrlHost(url), url })) : healthUrls(settingsFor(opts.stack) ?? nothingToValidate());
        const results = await validateHealth(targets, { deadlineMs: opts.deadlineSeconds !== undefined ? opts.deadlineSeconds * 1000 : undefined, attempts: opts.attempts });
        if (opts.json) printJson(io, results);
        else io.out(formatHealth(results));
        return results.some((r) => !r.ok) ? EXIT.different : EXIT.ok;
      }),
    );
};
