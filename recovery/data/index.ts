/** The data tools as the runbooks see them (DataTools). Replaced by the real tools of issue 4. */
import { NotAvailableError } from "../errors";
import type { DataTools } from "../runbook/ports";

const notYet = (what: string) => (): never => {
  throw new NotAvailableError(`${what} is not available yet in this build`, "run this step by hand (see the runbook) or update aytq-dr");
};

export function createDataTools(): DataTools {
  return {
    backup: notYet("backup"),
    restore: notYet("restore"),
    latestBackup: notYet("finding the latest backup"),
    compare: notYet("compare"),
    validate: notYet("validate"),
  };
}
