/** `preview <operation> ...`: the real `pulumi preview --diff` of an operation, gated, never applied. */
import type { Command } from "commander";
import type { CliIO } from "../io";
import { RESTORE_SPECS } from "./restore-ops";
import { registerPreviewChange } from "./preview-change";
import { registerSpec } from "./operation-spec";
import { SWITCH_SPECS } from "./switches";

export function registerPreview(program: Command, io: CliIO): void {
  const preview = program.command("preview").description("show the real preview (pulumi preview --diff) of an operation and run the gate on it; nothing is applied");
  for (const spec of [...SWITCH_SPECS, ...RESTORE_SPECS]) registerSpec(preview, spec, true, io);
  registerPreviewChange(preview, io);
}
