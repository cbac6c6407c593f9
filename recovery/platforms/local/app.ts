/**
 * A stand-in for the AYTQ and CTR app: four loopback listeners (public and temporary host of each
 * service) answering `/health/all.json` like the real one: the database answers and every expected
 * table exists. Stopped: 503 everywhere. Maintenance: public hosts serve the maintenance page (503),
 * temporary hosts reach the app.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { psql } from "../../pg/psql";
import { DEFAULT_HEALTH_PATH } from "../../../infra/config";
import type { HealthTarget } from "../../runbook/ports";

export type ServiceName = "AYTQ" | "CTR";
type Role = "public" | "temporary";

export interface AppHealth {
  status: "ok" | "failed";
  checks: { database: { ok: boolean; detail: string }; tables: { ok: boolean; missing: string[] } };
}

export interface LocalAppOptions {
  /** The live database the app uses. */
  databaseUrl: string;
  /** Tables that must exist. */
  expectedTables: readonly string[];
  /** @default DEFAULT_HEALTH_PATH */
  healthPath?: string;
}

export class LocalApp {
  stopped = false;
  maintenance = false;
  private readonly servers: { service: ServiceName; role: Role; server: http.Server; port: number }[] = [];
  private readonly healthPath: string;

  private constructor(private readonly options: LocalAppOptions) {
    this.healthPath = options.healthPath ?? DEFAULT_HEALTH_PATH;
  }

  static async start(options: LocalAppOptions): Promise<LocalApp> {
    const app = new LocalApp(options);
    for (const service of ["AYTQ", "CTR"] as const) {
      for (const role of ["public", "temporary"] as const) {
        const server = http.createServer((req, res) => void app.handle(role, req, res));
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve());
        });
        app.servers.push({ service, role, server, port: (server.address() as AddressInfo).port });
      }
    }
    return app;
  }

  /** Health URLs of one role: public (what users reach) or temporary (reaches the app during maintenance). */
  targets(role: Role): HealthTarget[] {
    return this.servers.filter((s) => s.role === role).map((s) => ({ service: s.service, url: `http://127.0.0.1:${s.port}${this.healthPath}` }));
  }

  async health(): Promise<AppHealth> {
    const url = this.options.databaseUrl;
    const list = this.options.expectedTables.map((t) => `'${t}'`).join(",");
    try {
      const out = await psql(url, `select table_name from information_schema.tables where table_schema = 'public' and table_name in (${list})`, { timeoutMs: 8000 });
      const present = new Set(out.split("\n").filter(Boolean));
      const missing = this.options.expectedTables.filter((t) => !present.has(t));
      return { status: missing.length === 0 ? "ok" : "failed", checks: { database: { ok: true, detail: "answers" }, tables: { ok: missing.length === 0, missing } } };
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      return { status: "failed", checks: { database: { ok: false, detail }, tables: { ok: false, missing: [...this.options.expectedTables] } } };
    }
  }

  private async handle(role: Role, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (role === "public" && this.maintenance) return send(503, { status: "maintenance", message: "The service is down for maintenance" });
    if (this.stopped) return send(503, { status: "stopped", message: "no app replicas are running" });
    if ((req.url ?? "").split("?")[0] !== this.healthPath) return send(404, { status: "not found" });
    const health = await this.health();
    send(health.status === "ok" ? 200 : 503, health);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.server.closeAllConnections();
            s.server.close(() => resolve());
          }),
      ),
    );
    this.servers.length = 0;
  }
}
