/**
 * A point-in-time copy's name, as an operator gives it (`--copy`, `--server`): it names a server of
 * the stack, so it is checked by the config model's rule. Here, not with the data tools' names
 * (data/names.ts), because the data tools know nothing of stacks.
 */
import { AZURE_SERVER_NAME } from "../../infra/config";
import { refused, type Refusal } from "../data/names";

/**
 * Why `name` cannot be a point-in-time copy (a flexible server): the config model's rule
 * (AZURE_SERVER_NAME), so a name the CLI accepts is one the stack accepts.
 */
function copyNameProblem(name: string): Refusal | undefined {
  if (AZURE_SERVER_NAME.test(name)) return undefined;
  const fix = "server names are 3 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen (e.g. s189t01-aytq-ts-pg-ptr-2); leave --name out for a unique default";
  if (name.length < 3 || name.length > 63) return { problem: `is not a server name: it has ${name.length} characters, Azure allows 3 to 63`, fix };
  return { problem: "is not a server name: Azure allows lowercase letters, digits and hyphens, not starting or ending with a hyphen", fix };
}

/** The copy name unchanged; a UsageError naming `label` when the stack could not hold it. */
export function checkCopyName(name: string, label = "--name"): string {
  const problem = copyNameProblem(name);
  if (problem) throw refused(label, name, problem);
  return name;
}
