/**
 * A failed ARM call as one typed error: what was asked, Azure's HTTP status, error code and
 * message, and a fix line (arm-calls.ts builds them; callers word them for their own step).
 */
import { ToolError } from "../errors";

/**
 * How a request failed:
 * - `credential`: no token (not signed in, no identity);
 * - `unreachable`: ARM never answered the request;
 * - `refused`: ARM answered the request itself with an error (nothing was started);
 * - `poll-failed`: ARM accepted a long-running operation, then following it failed;
 * - `operation-failed`: Azure reports the operation Failed or Canceled;
 * - `untracked`: ARM accepted it (202) with nothing to follow;
 * - `timeout`: it did not finish within `operationTimeoutMs`.
 * After `poll-failed`, `operation-failed`, `untracked` and `timeout` Azure may have done some or all of it.
 */
export type ArmFailureKind = "credential" | "unreachable" | "refused" | "poll-failed" | "operation-failed" | "untracked" | "timeout";

/** A failed ARM call, with what Azure said, for callers that word it for their own step. */
export class ArmError extends ToolError {
  constructor(
    message: string,
    hint: string,
    readonly kind: ArmFailureKind,
    readonly detail: {
      /** HTTP status of the failed request, when there was one. */
      statusCode?: number;
      /** Azure's error code (`AuthorizationFailed`, `ResourceNotFound`, ...). */
      code?: string;
      /** Azure's error message, tokens masked. */
      azureMessage?: string;
      /** Azure's status of a long-running operation that did not succeed (`Failed`, `Canceled`). */
      operationStatus?: string;
    } = {},
  ) {
    super(message, hint);
  }

  /** `HTTP 403 AuthorizationFailed: <message>`, the parts Azure gave. */
  get azureSays(): string {
    return describeAzure(this.detail.statusCode, this.detail.code, this.detail.azureMessage);
  }
}

/** `HTTP 403 AuthorizationFailed: <message>`, the parts given. */
export function describeAzure(statusCode?: number, code?: string, message?: string): string {
  const parts = [statusCode !== undefined ? `HTTP ${statusCode}` : "", code ? `${code}:` : "", message ?? ""].filter(Boolean);
  return parts.join(" ").replace(/:$/, "");
}
