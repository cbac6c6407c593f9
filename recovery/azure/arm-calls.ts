/**
 * Calling ARM through the SDK: a GET that resolves undefined on 404, a long-running operation
 * followed through the SDK's poller with a deadline, and every failure turned into an
 * {@link ArmError} with a fix. No token ever reaches a message: the ones the credential handed out
 * are masked wherever Azure's text might echo them.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import { redact } from "../util/redact";
import { isRestError } from "../util/rest-error";
import { ArmError, describeAzure } from "./arm-error";

/** Azure can take a long time to add an HA standby or scale storage; past this we stop waiting (Azure carries on). */
const DEFAULT_OPERATION_TIMEOUT_MS = 60 * 60_000;

/** How long-running operations are followed (AzureSdkServerApiOptions documents each). */
interface LroOptions {
  updateIntervalInMs?: number;
  operationTimeoutMs?: number;
  log?: (line: string) => void;
}

/** The part of an SDK response we read (core-client's FullOperationResponse has these). */
interface RawResponse {
  status: number;
  headers: { get(name: string): string | undefined };
  parsedBody?: unknown;
}

/** What each ARM call is, for its messages. */
export interface Call {
  /** `read`, `update`, `delete`, `set`: completes "could not <verb> <target>". */
  verb: string;
  /** `server rg/name`, `parameter rg/name/max_connections`. */
  target: string;
  resourceGroupName?: string;
  /** What to do when Azure reports a failure that is not about access. */
  fix: string;
}

/** The responses of one call (the first request, then each poll) as they arrive. */
export class Trace {
  first?: { status: number; tracked: boolean };
  last?: { status: number; body: unknown };
  readonly onResponse = (raw: RawResponse): void => {
    this.first ??= { status: raw.status, tracked: raw.headers.get("azure-asyncoperation") !== undefined || raw.headers.get("location") !== undefined || raw.headers.get("operation-location") !== undefined };
    this.last = { status: raw.status, body: raw.parsedBody };
  };
  /** ARM answered the first request with success: from here on Azure may be changing things. */
  get accepted(): boolean {
    return this.first !== undefined && this.first.status < 300;
  }
}

/** The credential's own failure, told apart from Azure's answers. */
class CredentialFailure extends Error {}

/** A credential that remembers the tokens it handed out, so that no message can show one. */
export class RememberingCredential implements TokenCredential {
  readonly tokens = new Set<string>();
  constructor(private readonly inner: TokenCredential) {}
  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    let t: AccessToken | null;
    try {
      t = await this.inner.getToken(scopes, options);
    } catch (err) {
      throw new CredentialFailure(err instanceof Error ? err.message : String(err));
    }
    if (!t) throw new CredentialFailure("the credential returned no token");
    this.tokens.add(t.token);
    return t;
  }
}

export function errorOf(body: unknown): { code?: string; message?: string } {
  if (typeof body !== "object" || body === null) return {};
  const e = (body as { error?: unknown }).error;
  if (typeof e !== "object" || e === null) return {};
  const { code, message } = e as { code?: unknown; message?: unknown };
  return { code: typeof code === "string" ? code : undefined, message: typeof message === "string" ? message : undefined };
}

function statusOf(body: unknown): string | undefined {
  const s = typeof body === "object" && body !== null ? (body as { status?: unknown }).status : undefined;
  return typeof s === "string" ? s : undefined;
}

/** The calls of one subscription's ARM client: its endpoint and credential, for messages and masking. */
export class ArmCalls {
  constructor(
    private readonly subscriptionId: string,
    private readonly endpoint: string,
    private readonly credential: RememberingCredential,
    private readonly o: LroOptions = {},
  ) {}

  /** A GET: the resource, or undefined when Azure answers 404. */
  async get<T>(call: Call, send: (onResponse: Trace["onResponse"]) => Promise<T>): Promise<T | undefined> {
    const trace = new Trace();
    try {
      return await send(trace.onResponse);
    } catch (err) {
      if (isRestError(err) && err.statusCode === 404) return undefined;
      throw this.failure(call, err, trace, false);
    }
  }

  /**
   * A long-running operation through the SDK's poller: begin (the first request and one poll),
   * then pollUntilDone with a deadline. begin + pollUntilDone rather than the *AndWait helpers,
   * which take no abort signal for the waits between polls, so a deadline could not stop them.
   */
  async lro(
    call: Call,
    begin: (options: { updateIntervalInMs?: number; abortSignal: AbortSignal; onResponse: Trace["onResponse"] }) => Promise<{ pollUntilDone(options?: { abortSignal?: AbortSignal }): Promise<unknown> }>,
  ): Promise<void> {
    const trace = new Trace();
    const deadline = new AbortController();
    const timeoutMs = this.o.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    const onResponse = (raw: RawResponse) => {
      trace.onResponse(raw);
      const status = statusOf(raw.parsedBody);
      if (trace.accepted && status !== undefined && !["Succeeded", "Failed", "Canceled"].includes(status)) this.o.log?.(`${call.verb} ${call.target}: ${status}`);
    };
    try {
      const poller = await begin({ updateIntervalInMs: this.o.updateIntervalInMs, abortSignal: deadline.signal, onResponse });
      await poller.pollUntilDone({ abortSignal: deadline.signal });
    } catch (err) {
      throw this.failure(call, err, trace, deadline.signal.aborted, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
    // The SDK calls a 202 with no Azure-AsyncOperation or Location done; nothing says it is.
    if (trace.first?.status === 202 && !trace.first.tracked) {
      throw new ArmError(`ARM accepted the request to ${call.verb} ${call.target} (HTTP 202) but gave no Azure-AsyncOperation or Location header to follow`, call.fix, "untracked");
    }
  }

  /** Any failure of a call as an ArmError with a fix; errors that are not Azure's (bugs) pass unchanged. */
  failure(call: Call, err: unknown, trace: Trace, timedOut: boolean, timeoutMs = 0): unknown {
    const mask = (text: string) => redact(text, [...this.credential.tokens]).replace(/\bBearer\s+[^\s"',;]+/gi, "Bearer ***");
    if (err instanceof CredentialFailure) {
      return new ArmError(`no Azure token for ARM: ${mask(err.message.split("\n")[0])}`, "az login, or set AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET (DefaultAzureCredential)", "credential");
    }
    if (timedOut) {
      return new ArmError(`the operation to ${call.verb} ${call.target} did not finish in ${duration(timeoutMs)}`, call.fix, "timeout");
    }
    const accepted = trace.accepted;
    if (isRestError(err)) {
      const statusCode = err.statusCode;
      const code = err.code || undefined;
      const azureMessage = mask(err.message.split("\n")[0].slice(0, 500));
      if (statusCode === undefined) {
        const detail = { code, azureMessage };
        if (accepted) return new ArmError(`following the operation to ${call.verb} ${call.target} failed: ${azureMessage}`, call.fix, "poll-failed", detail);
        return new ArmError(`could not reach Azure Resource Manager (${this.endpoint}) to ${call.verb} ${call.target}: ${azureMessage}`, `check this machine reaches ${this.endpoint} (a proxy: HTTPS_PROXY / NO_PROXY), then run the command again`, "unreachable", detail);
      }
      const detail = { statusCode, code, azureMessage };
      const says = describeAzure(statusCode, code, azureMessage);
      if (accepted) return new ArmError(`following the operation to ${call.verb} ${call.target} failed: ${says}`, call.fix, "poll-failed", detail);
      return new ArmError(`Azure refused to ${call.verb} ${call.target}: ${says}`, this.refusalFix(call, statusCode), "refused", detail);
    }
    const operationStatus = statusOf(trace.last?.body);
    if (accepted && (operationStatus === "Failed" || operationStatus === "Canceled" || (err instanceof Error && /long-running operation has failed|Operation was canceled/.test(err.message)))) {
      const e = errorOf(trace.last?.body);
      const detail = { code: e.code, azureMessage: e.message !== undefined ? mask(e.message) : undefined, operationStatus: operationStatus ?? "Failed" };
      return new ArmError(`Azure reports the operation to ${call.verb} ${call.target} ${detail.operationStatus}: ${describeAzure(undefined, detail.code, detail.azureMessage) || "no error given"}`, call.fix, "operation-failed", detail);
    }
    if (err instanceof Error && err.name === "AbortError") {
      return new ArmError(`the operation to ${call.verb} ${call.target} was stopped before it finished`, call.fix, accepted ? "poll-failed" : "unreachable");
    }
    return err;
  }

  private refusalFix(call: Call, statusCode: number): string {
    const scope = `/subscriptions/${this.subscriptionId}${call.resourceGroupName ? `/resourceGroups/${call.resourceGroupName}` : ""}`;
    if (statusCode === 401) {
      return "ARM did not accept the token (expired, or from another tenant): az login again (az account show says who you are), or check AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET";
    }
    if (statusCode === 403) {
      return `the signed-in identity lacks a role for this: az role assignment create --assignee <its object id> --role Contributor --scope ${scope} (or ask an owner of the subscription; az account show says who is signed in), then run the command again`;
    }
    if (statusCode === 429) return "ARM is throttling this subscription: wait a minute and run the command again";
    if (statusCode === 404) return `check the names and the subscription (${this.subscriptionId}); ${call.fix}`;
    return call.fix;
  }
}

function duration(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 100) / 10} s`;
}
