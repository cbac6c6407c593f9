/** `preview change`: the stack as committed (a pull request's program and stack file), previewed and judged by the gate; nothing is applied. */
import { statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { checkStackName, loadStackSettings } from "../../config/stackfile";
import { EXIT, UsageError } from "../../errors";
import { clipInput } from "../../util/clip";
import { changePreviewMarkdown, changePreviewText, failedPreviewMarkdown, previewChange, type ChangePreview } from "../../ops/change-preview";
import { appendStepSummary } from "../../ci/actions";
import type { CliIO } from "../io";
import { act } from "../command";
import { portFor } from "./driver-common";

export function registerPreviewChange(preview: Command, io: CliIO): void {
  preview
    .command("change")
    .description("preview the stack as committed (pulumi preview --diff) and give the gate's verdict: refused (exit 3) if it deletes or replaces a protected resource")
    .option("--stack <stack>", "test | preproduction | production")
    .option("--markdown <file>", "also write the verdict and the diff as Markdown (for a pull request comment)")
    .action(
      act(io, async ({ io }, f: { stack?: string; markdown?: string }) => {
        const stack = checkStackName(f.stack);
        if (f.markdown !== undefined) checkMarkdownFile(f.markdown);
        const settings = loadStackSettings(stack);
        const port = await portFor(io)(stack);
        let result: ChangePreview;
        try {
          result = await previewChange(port, settings.database.serverName);
        } catch (err) {
          // the engine refused (a protected resource, a program error): that message is the verdict the pull request needs
          const markdown = failedPreviewMarkdown(stack, err instanceof Error ? err.message : String(err));
          if (f.markdown) writeFileSync(f.markdown, markdown);
          appendStepSummary(io.env, markdown, (l) => io.err(l));
          throw err;
        }
        io.out(result.diffText.trim());
        io.out(changePreviewText(result));
        const markdown = changePreviewMarkdown(result);
        if (f.markdown) writeFileSync(f.markdown, markdown);
        appendStepSummary(io.env, markdown, (l) => io.err(l));
        return result.verdict === "refused" ? EXIT.refused : EXIT.ok;
      }),
    );
}

/** --markdown names a file that can be written: refused (exit 2) before the preview when it is a folder or its folder is missing. */
function checkMarkdownFile(file: string): void {
  const fix = "give --markdown a file name in an existing folder, e.g. --markdown preview.md";
  const kind = (p: string): "folder" | "file" | "missing" | string => {
    try {
      return statSync(p).isDirectory() ? "folder" : "file";
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return code === "ENOENT" ? "missing" : (code ?? String(err));
    }
  };
  const shown = clipInput(file);
  const self = kind(file);
  if (self === "folder") throw new UsageError(`--markdown ${shown} is a folder, not a file; nothing was previewed`, fix);
  if (self !== "file" && self !== "missing") throw new UsageError(`--markdown ${shown} cannot be used (${self}); nothing was previewed`, fix);
  const parent = kind(path.dirname(path.resolve(file)));
  if (parent !== "folder") throw new UsageError(`--markdown ${shown}: its folder ${clipInput(path.dirname(path.resolve(file)))} ${parent === "missing" ? "does not exist" : parent === "file" ? "is a file" : `cannot be used (${parent})`}; nothing was previewed`, fix);
}
