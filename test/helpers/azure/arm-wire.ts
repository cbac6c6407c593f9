/**
 * The wire of the ARM stand-in (arm-http.ts): https with a self-signed certificate, what a test
 * can queue (faults, how a long-running operation goes), and ARM's long-running operations:
 * 202 with Azure-AsyncOperation and Location, polled (InProgress, then Succeeded, Failed or
 * Canceled) and applied when done.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { ServerResponse } from "node:http";
import * as os from "node:os";
import * as path from "node:path";

export const PG_API_VERSION = "2025-08-01";

/** One request as the stand-in received it. */
export interface SeenRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** Path only. */
  path: string;
  authorization?: string;
  body?: unknown;
}

/** An answer a test queues for the next matching request(s), before any routing (after the token check). */
export interface Fault {
  method?: string;
  /** Matched against the path (without the query). */
  path?: RegExp;
  status: number;
  /** Azure's error code and message, sent as `{"error":{code,message}}`; message may quote the request. */
  code?: string;
  message?: string | ((req: SeenRequest) => string);
  headers?: Record<string, string>;
  /** @default 1 */
  times?: number;
}

/** How a long-running operation goes. */
export interface OperationScript {
  /** Polls answered InProgress before the outcome. @default 1 */
  inProgressPolls?: number;
  /** @default "Succeeded" */
  status?: "Succeeded" | "Failed" | "Canceled";
  /** Azure's error when the operation does not succeed. @default InternalServerError */
  error?: { code: string; message: string };
  /** Headers of the 202: both (what Azure sends), only one, or none. @default "both" */
  headers?: "both" | "azure-async-operation" | "location" | "none";
  /** Retry-After (seconds) on the 202 and on every poll. @default none */
  retryAfterSeconds?: number;
}

/** What a long-running operation does to the state: when accepted, when it succeeds, when it fails. */
export interface OperationEffects {
  start: () => void;
  apply: () => void;
  undo: () => void;
  /** The resource's body for a Location poll that succeeds (PATCH, PUT). */
  result?: () => unknown;
}

interface Operation extends OperationEffects {
  id: string;
  script: Required<Omit<OperationScript, "error" | "retryAfterSeconds">> & Pick<OperationScript, "error" | "retryAfterSeconds">;
  polls: number;
  startTime: string;
  endTime?: string;
}

export const OPERATION_RE = /^\/subscriptions\/[^/]+\/providers\/Microsoft\.DBforPostgreSQL\/locations\/[^/]+\/(azureAsyncOperation|operationResults)\/([^/]+)$/i;

let certificate: { key: string; cert: string } | undefined;

/** A self-signed certificate for 127.0.0.1, made once per process. */
export function selfSigned(): { key: string; cert: string } {
  if (certificate) return certificate;
  const dir = mkdtempSync(path.join(os.tmpdir(), "arm-standin-"));
  try {
    const key = path.join(dir, "key.pem");
    const cert = path.join(dir, "cert.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "pipe" });
    certificate = { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") };
    return certificate;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function json(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) return void res.writeHead(status, headers).end();
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers }).end(JSON.stringify(body));
}

export function armError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  json(res, status, { error: { code, message } }, { "x-ms-failure-cause": "gateway", ...headers });
}

/** ARM's long-running operations: accepted with what to follow, then polled to their outcome. */
export class Operations {
  /** Scripts for the next long-running operations, in order; then `defaultScript`. */
  readonly scripts: OperationScript[] = [];
  defaultScript: OperationScript = {};
  private readonly operations = new Map<string, Operation>();

  constructor(private readonly endpoint: string) {}

  /** Start a long-running operation: 202 with what to follow. `onAccept` runs once it is started, before the 202 is sent. */
  async accept(res: ServerResponse, where: { subscriptionId: string; location: string }, effects: OperationEffects, onAccept?: () => Promise<void> | void): Promise<void> {
    const given = this.scripts.shift() ?? this.defaultScript;
    const script = { inProgressPolls: given.inProgressPolls ?? 1, status: given.status ?? "Succeeded", headers: given.headers ?? "both", error: given.error, retryAfterSeconds: given.retryAfterSeconds };
    const id = randomUUID();
    const op: Operation = { ...effects, id, script, polls: 0, startTime: new Date().toISOString() };
    this.operations.set(id, op);
    effects.start();
    await onAccept?.();
    const base = `${this.endpoint}/subscriptions/${where.subscriptionId}/providers/Microsoft.DBforPostgreSQL/locations/${where.location}`;
    const headers: Record<string, string> = {};
    if (script.headers === "both" || script.headers === "azure-async-operation") headers["Azure-AsyncOperation"] = `${base}/azureAsyncOperation/${id}?api-version=${PG_API_VERSION}`;
    if (script.headers === "both" || script.headers === "location") headers["Location"] = `${base}/operationResults/${id}?api-version=${PG_API_VERSION}`;
    if (script.retryAfterSeconds !== undefined) headers["Retry-After"] = String(script.retryAfterSeconds);
    if (script.headers === "none") op.endTime = op.startTime; // nothing to follow: Azure's outcome is never told
    json(res, 202, undefined, headers);
  }

  /** One poll: InProgress for the scripted number of polls, then the outcome (applied once). */
  poll(res: ServerResponse, kind: "async" | "location", id: string): void {
    const op = this.operations.get(id);
    if (!op) return armError(res, 404, "OperationNotFound", `The operation '${id}' was not found.`);
    const retry: Record<string, string> = op.script.retryAfterSeconds !== undefined ? { "Retry-After": String(op.script.retryAfterSeconds) } : {};
    if (op.endTime === undefined) {
      op.polls++;
      if (op.polls <= op.script.inProgressPolls) {
        if (kind === "location") return json(res, 202, undefined, retry);
        return json(res, 200, { name: id, status: "InProgress", startTime: op.startTime }, retry);
      }
      op.endTime = new Date().toISOString();
      if (op.script.status === "Succeeded") op.apply();
      else op.undo();
    }
    const error = op.script.error ?? { code: "InternalServerError", message: "An unexpected error occured while processing the request." };
    if (kind === "async") {
      const body: Record<string, unknown> = { name: id, status: op.script.status, startTime: op.startTime, endTime: op.endTime };
      if (op.script.status !== "Succeeded") body.error = error;
      return json(res, 200, body);
    }
    if (op.script.status !== "Succeeded") return armError(res, op.script.status === "Canceled" ? 409 : 500, error.code, error.message);
    const result = op.result?.();
    return result === undefined ? json(res, 204) : json(res, 200, result);
  }
}
