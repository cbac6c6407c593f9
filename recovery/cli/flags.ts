/**
 * Rules every command's flags follow, applied once to the whole program: a flag given twice is a
 * conflict (commander would silently keep the last), except flags that collect a list (`--set`,
 * `--url`, `compare --database-url`). Both values are named, cut to 200 characters.
 */
import type { Command, Option } from "commander";
import { UsageError } from "../errors";
import { clipInput } from "../util/clip";

/** A flag whose parser collects its values into a list may be given more than once. */
function collectsList(option: Option): boolean {
  if (option.variadic) return true;
  // commander's parseArg is `(value, previous) => next`; a collecting one turns [] into a list
  const parse = (option as Option & { parseArg?: (value: string, previous: unknown) => unknown }).parseArg;
  if (parse === undefined) return false;
  try {
    return Array.isArray(parse("x", []));
  } catch {
    return false;
  }
}

function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}

/** Refuse (UsageError, exit 2) a flag given twice, on every command of the program. */
export function refuseRepeatedFlags(program: Command): void {
  for (const cmd of allCommands(program)) {
    for (const option of cmd.options) {
      if (collectsList(option)) continue;
      const seen: string[] = [];
      const flag = option.long ?? option.short ?? option.flags;
      cmd.on(`option:${option.name()}`, (value?: string) => {
        seen.push(value ?? "");
        if (seen.length < 2) return;
        const values = option.required || option.optional ? ` ("${clipInput(seen[0])}" and "${clipInput(seen[1])}")` : "";
        throw new UsageError(`${flag} is given twice${values}: the two conflict, so nothing was done`, `give ${flag} once`);
      });
    }
  }
}
