/** `preview change`: the stack as committed (a pull request's program and stack file), previewed and judged by the gate; nothing is applied. */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { checkStackName, loadStackSettings } from "../../config/stackfile";
import { EXIT } from "../../errors";
import { changePreviewMarkdown, changePreviewText, failedPreviewMarkdown, previewChange, type ChangePreview } from "../../ops/change-preview";
import { appendStepSummary } from "../../ci/actions";
import type { CliIO } from "../io";
import { setExitCode } from "../main";
import { portFor } from "./driver-common";

export function registerPreviewChange(preview: Command, io: CliIO): void {
  preview
    .command("change")
    .description("preview the stack as committed (pulumi preview --diff) and give the gate's verdict: refused (exit 3) if it deletes or replaces a protected resource")
    .option("--stack <stack>", "test | preproduction | production")
    .option("--markdown <file>", "also write the verdict and the diff as Markdown (for a pull request comment)")
    .action(async (f: { stack?: string; markdown?: string }, command: Command) => {
      const stack = checkStackName(f.stack);
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
      if (result.verdict === "refused") setExitCode(command, EXIT.refused);
    });
}
