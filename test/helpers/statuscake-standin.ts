/**
 * A local stand-in for StatusCake's API v1 (node:http on 127.0.0.1, port 0), speaking the shapes
 * StatusCake documents (OpenAPI 1.2.0, developers.statuscake.com/api), written out here by hand:
 * - `GET /v1/uptime` and `GET /v1/heartbeat`: `{ data: [...], metadata: { page, per_page, page_count, total_count } }`, paged by `page` / `limit`;
 * - `GET /v1/heartbeat/{id}`: `{ data: { id, name, url, period, contact_groups, paused, status, tags, last_tested_at } }`;
 * - `POST /v1/heartbeat` (form) 201 `{ data: { new_id } }`; `PUT /v1/heartbeat/{id}` 204; `DELETE` 204; 404 `{ message }`;
 * - 401 `{ message }` for a missing or wrong bearer token; 400 `{ message, errors }` for a bad period;
 * - the push URL of each heartbeat (`/push/?PK=<key>&TestID=<id>&time=0` here; push.statuscake.com in life):
 *   a GET records the ping as `last_tested_at`.
 * A test queues faults (429 with x-ratelimit-reset, 500, a hang for timeouts, ...) before routing.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";

export interface SeenStatusCakeRequest {
  method: string;
  /** Path and query. */
  url: string;
  path: string;
  authorization?: string;
  /** The form, parsed (arrays under `field[]`). */
  form?: URLSearchParams;
}

export interface StatusCakeFault {
  method?: string;
  path?: RegExp;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer (a timeout). */
  hang?: boolean;
  /** @default 1 */
  times?: number;
}

type Json = Record<string, unknown>;

export class StatusCakeStandin {
  /** The token the stand-in accepts. */
  readonly token = `sc-token-${randomUUID()}`;
  /** The account's push key, in every push URL (a secret too). */
  readonly pushKey = `PK${randomUUID().replace(/-/g, "")}`;
  readonly requests: SeenStatusCakeRequest[] = [];
  readonly uptime: Json[] = [];
  readonly heartbeats = new Map<string, Json>();
  readonly faults: StatusCakeFault[] = [];
  /** Pings received, by heartbeat id. */
  readonly pings: string[] = [];
  private nextId = 7000;
  private readonly hanging = new Set<http.ServerResponse>();

  private constructor(
    private readonly server: http.Server,
    readonly origin: string,
  ) {}

  /** The API root, as STATUSCAKE_API_URL would be. */
  get apiUrl(): string {
    return `${this.origin}/v1`;
  }

  static async start(): Promise<StatusCakeStandin> {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const s = new StatusCakeStandin(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on("request", (req, res) => {
      s.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: `stand-in bug: ${String(err)}` }));
      });
    });
    return s;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** An uptime check as StatusCake lists it. */
  addUptime(o: { name: string; websiteUrl: string; paused?: boolean; status?: "up" | "down"; tags?: string[] }): string {
    const id = String(this.nextId++);
    this.uptime.push({ id, name: o.name, website_url: o.websiteUrl, test_type: "HTTP", check_rate: 300, contact_groups: ["123"], paused: o.paused ?? false, status: o.status ?? "up", tags: o.tags ?? [], uptime: 100 });
    return id;
  }

  /** A heartbeat check; `lastPingAt` undefined: never pinged. `status` @default up when pinged, down when never. */
  addHeartbeat(o: { name: string; periodSeconds?: number; paused?: boolean; lastPingAt?: Date; contactGroupIds?: string[]; tags?: string[]; status?: "up" | "down" }): string {
    const id = String(this.nextId++);
    this.heartbeats.set(id, {
      id,
      name: o.name,
      url: this.pushUrl(id),
      period: o.periodSeconds ?? 93_600,
      contact_groups: o.contactGroupIds ?? [],
      paused: o.paused ?? false,
      status: o.status ?? (o.lastPingAt ? "up" : "down"),
      tags: o.tags ?? [],
      uptime: 100,
      ...(o.lastPingAt ? { last_tested_at: o.lastPingAt.toISOString() } : {}),
    });
    return id;
  }

  pushUrl(id: string): string {
    return `${this.origin}/push/?PK=${this.pushKey}&TestID=${id}&time=0`;
  }

  /** Requests to the API (not pings), as `METHOD /path`. */
  get calls(): string[] {
    return this.requests.filter((r) => r.path.startsWith("/v1")).map((r) => `${r.method} ${r.path}`);
  }

  // ---------------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", this.origin);
    const seen: SeenStatusCakeRequest = { method: req.method ?? "", url: req.url ?? "", path: url.pathname, authorization: req.headers.authorization };
    if (text) seen.form = new URLSearchParams(text);
    this.requests.push(seen);

    const fault = this.faults.find((f) => (f.method === undefined || f.method === seen.method) && (f.path === undefined || f.path.test(seen.path)));
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
      if (fault.hang) {
        this.hanging.add(res);
        return;
      }
      return this.json(res, fault.status ?? 500, fault.body ?? { message: "injected by the test" }, fault.headers);
    }

    if (url.pathname === "/push/" || url.pathname === "/push") return this.push(res, url);
    if (seen.authorization !== `Bearer ${this.token}`) return this.json(res, 401, { message: "Unauthorized" });
    const limit = Math.min(Number(url.searchParams.get("limit") ?? 25), 100);
    const page = Number(url.searchParams.get("page") ?? 1);
    if (url.pathname === "/v1/uptime" && seen.method === "GET") return this.page(res, this.uptime, page, limit);
    if (url.pathname === "/v1/heartbeat" && seen.method === "GET") {
      // the list has no last_tested_at (HeartbeatTestOverview)
      return this.page(res, [...this.heartbeats.values()].map(({ last_tested_at: _, ...h }) => h), page, limit);
    }
    if (url.pathname === "/v1/heartbeat" && seen.method === "POST") return this.create(res, seen.form ?? new URLSearchParams());
    const m = /^\/v1\/heartbeat\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const h = this.heartbeats.get(m[1]);
      if (!h) return this.json(res, 404, { message: "Heartbeat check not found" });
      if (seen.method === "GET") return this.json(res, 200, { data: h });
      if (seen.method === "DELETE") {
        this.heartbeats.delete(m[1]);
        return this.json(res, 204);
      }
      if (seen.method === "PUT") {
        const bad = this.apply(h, seen.form ?? new URLSearchParams());
        return bad ? this.json(res, 400, bad) : this.json(res, 204);
      }
    }
    return this.json(res, 404, { message: `the stand-in does not model ${seen.method} ${url.pathname}` });
  }

  private json(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    const common = { "x-ratelimit-limit": "5, 60;w=60, 5;w=1", "x-ratelimit-remaining": "4", "x-ratelimit-reset": "1", ...headers };
    if (body === undefined) return void res.writeHead(status, common).end();
    res.writeHead(status, { "content-type": "application/json", ...common }).end(JSON.stringify(body));
  }

  private page(res: http.ServerResponse, all: Json[], page: number, limit: number): void {
    const pageCount = Math.max(1, Math.ceil(all.length / limit));
    this.json(res, 200, { data: all.slice((page - 1) * limit, page * limit), metadata: { page, per_page: limit, page_count: pageCount, total_count: all.length } });
  }

  /** Apply a form to a heartbeat; a StatusCake-like 400 body when it is invalid. */
  private apply(h: Json, f: URLSearchParams): Json | undefined {
    if (f.has("period")) {
      const p = Number(f.get("period"));
      if (!Number.isInteger(p) || p < 30 || p > 172_800) return { message: "The provided parameters are invalid. Check the errors output for detailed information.", errors: { period: ["Period must be between 30 and 172800"] } };
      h.period = p;
    }
    if (f.has("name")) h.name = f.get("name");
    if (f.has("paused")) h.paused = f.get("paused") === "true";
    if (f.has("contact_groups[]")) h.contact_groups = f.getAll("contact_groups[]").filter(Boolean);
    if (f.has("tags[]")) h.tags = f.getAll("tags[]").filter(Boolean);
    return undefined;
  }

  private create(res: http.ServerResponse, f: URLSearchParams): void {
    if (!f.get("name")) return this.json(res, 400, { message: "The provided parameters are invalid.", errors: { name: ["Name is required"] } });
    const id = String(this.nextId++);
    const h: Json = { id, name: "", url: this.pushUrl(id), period: 0, contact_groups: [], paused: false, status: "down", tags: [], uptime: 0 };
    const bad = this.apply(h, f);
    if (bad) return this.json(res, 400, bad);
    this.heartbeats.set(id, h);
    this.json(res, 201, { data: { new_id: id } });
  }

  private push(res: http.ServerResponse, url: URL): void {
    const h = this.heartbeats.get(url.searchParams.get("TestID") ?? "");
    if (!h || url.searchParams.get("PK") !== this.pushKey) return void res.writeHead(404).end("not found");
    h.last_tested_at = new Date().toISOString();
    h.status = "up";
    this.pings.push(String(h.id));
    res.writeHead(200, { "content-type": "text/plain" }).end("success");
  }
}
