/** tidy's operation: the PTR copies to delete, of those the stack's outputs list. */
import { UsageError } from "../errors";
import type { Operation } from "./operations";
import { existingCopies } from "./outputs";
import type { StackPort } from "../stack/port";

/** Which copies: one by name, or every one. */
type TidyChoice = { name: string } | { all: true };

/** The tidy of `choice` on the stack behind `port`; a name that is no copy of it is refused before anything changes. */
export async function tidyOperation(port: StackPort, choice: TidyChoice): Promise<Extract<Operation, { kind: "tidy" }>> {
  const existing = await existingCopies(port);
  const names = "all" in choice ? existing.map((c) => c.name) : [choice.name];
  const unknown = names.filter((n) => !existing.some((c) => c.name === n));
  if (unknown.length) {
    throw new UsageError(
      `no copy named ${unknown.join(", ")}; existing copies: ${existing.map((c) => c.name).join(", ") || "none"}; nothing was changed`,
      existing.length ? `use one of those names with --name, or --all to delete every copy` : "there is nothing to tidy",
    );
  }
  return { kind: "tidy", names, existing };
}
