/** A stack over the strict fake engine and its simulated Azure, with what revive and rebuild need. */
import { readStackConfig } from "../../recovery/config/stackfile";
import { FakeAzure, NO_WAIT_POLL } from "../helpers/azure/port";
import type { AzureOptions } from "../helpers/azure/state";
import { credentialsFromDatabaseUrl } from "../../recovery/platforms/azure/credentials";
import type { RecoveryContext } from "../../recovery/ops/run-operation";
import type { ConvergeOptions } from "../../recovery/ops/converge";
import { PLAN_SUBSCRIPTION_ID } from "../../recovery/plan/mocks";
import { FakeStackOptions, FakeStackPort } from "../helpers/fake-stack";
import type { StackName } from "../../infra/config";

/** The app's password in its DATABASE_URL Secret: differs from anything the stack generates. */
export const APP_LOGIN = "aytqapp";
export const APP_PASSWORD = "app-Secret_pw-7Qz9-with%40-char";
export const APP_URL = (server: string, db: string) => `postgres://${APP_LOGIN}:${encodeURIComponent(APP_PASSWORD)}@${server}.postgres.database.azure.com:5432/${db}?sslmode=require`;
export const DELETED_AT = new Date("2024-07-24T06:00:00Z");
export const AT = "2024-07-24T06:10:00Z";

export interface Harness {
  port: FakeStackPort;
  azure: FakeAzure;
  live: string;
  recovery: RecoveryContext;
  /** Everything the driver logged. */
  lines: string[];
  opts(extra?: Partial<ConvergeOptions>): ConvergeOptions & { recovery: RecoveryContext };
}

export function harness(stack: StackName = "production", azure: Partial<AzureOptions> = {}, engine: Omit<FakeStackOptions, "azure"> = {}): Harness {
  const fake = new FakeAzure({ subscriptionId: PLAN_SUBSCRIPTION_ID, ...azure });
  const port = new FakeStackPort(stack, readStackConfig(stack), { azure: fake, ...engine });
  const settings = port.settings();
  const lines: string[] = [];
  const recovery: RecoveryContext = {
    azure: fake,
    settings,
    subscriptionId: port.subscriptionId,
    // a restarting server is Ready after two polls of the simulated Azure: poll without waiting
    readyPoll: NO_WAIT_POLL,
    appCredentials: async () => credentialsFromDatabaseUrl(APP_URL(settings.database.serverName, settings.database.databaseName), "secret"),
  };
  return {
    port,
    azure: fake,
    live: settings.database.serverName,
    recovery,
    lines,
    opts: (extra = {}) => ({ port, liveServerName: settings.database.serverName, log: (l: string) => lines.push(l), recovery, ...extra }),
  };
}
