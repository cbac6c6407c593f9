/**
 * The maintenance page served by a REAL nginx with the config the program declares.
 *
 * The files are `maintenancePageFiles()`, the function the component's ConfigMap is built from
 * (checked below against the ConfigMap declared under mocks, with the Deployment's mount paths).
 * nginx must be installed: a missing nginx fails this test, it never skips.
 */
import * as assert from "node:assert/strict";
import { ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { access, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { constants as fsConstants } from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { MAINTENANCE_CONTAINER_PORT, MaintenancePageFiles, maintenancePageFiles } from "../../infra/maintenance-page";
import { build, input, resource } from "./harness";
import { PULUMI_TYPES } from "../../infra/types";

/** Where the Deployment mounts the ConfigMap's keys in the nginx image (asserted against the declared Deployment). */
const IMAGE_CONF_PATH = "/etc/nginx/conf.d/default.conf";
const IMAGE_HTML_ROOT = "/usr/share/nginx/html";

const INSTALL_HINT = "apt-get install -y nginx-light";
const SERVICE_PATHS = ["/health/all.json", "/anything/else", "/search?x=1"];

async function findNginx(): Promise<string> {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter).filter((d) => d !== ""), "/usr/sbin", "/usr/local/sbin"];
  for (const dir of dirs) {
    const candidate = path.join(dir, "nginx");
    try {
      await access(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  assert.fail(
    `nginx is not installed (looked for an executable "nginx" in PATH, /usr/sbin and /usr/local/sbin). ` +
      `This test runs the real nginx with the maintenance config and never skips: install it with \`${INSTALL_HINT}\`.`,
  );
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("no port from the OS"))));
    });
  });
}

/** Replace `from` by `to`, requiring exactly one occurrence so a changed declared config fails here loudly. */
function replaceOnce(text: string, from: string, to: string): string {
  const count = text.split(from).length - 1;
  assert.equal(count, 1, `expected "${from}" exactly once in the declared default.conf (found ${count}); update the rewrite in this test`);
  return text.replace(from, () => to);
}

/**
 * The declared `default.conf` made runnable outside the pod. Exactly two lines are rewritten, nothing else:
 * - `listen 8080 default_server;` -> `listen 127.0.0.1:<free port> default_server;`: 8080 may be taken on this
 *   machine, and a test server must not listen beyond loopback;
 * - `root /usr/share/nginx/html;` -> `root <temp dir>/html;`: in the pod the ConfigMap's index.html is mounted
 *   there; here that is the Debian package's directory, so the page is written to the temp dir instead.
 */
function runnableServerConf(files: MaintenancePageFiles, port: number, htmlRoot: string): string {
  const listened = replaceOnce(
    files["default.conf"],
    `listen ${MAINTENANCE_CONTAINER_PORT} default_server;`,
    `listen 127.0.0.1:${port} default_server;`,
  );
  return replaceOnce(listened, `root ${IMAGE_HTML_ROOT};`, `root ${htmlRoot};`);
}

/**
 * Stands in for the image's own /etc/nginx/nginx.conf, which includes conf.d/*.conf inside `http` (the
 * declared file is only a `server` block). Differences from the image, all to run unprivileged in a temp dir:
 * `types` maps only html (the image includes mime.types, which maps html the same way; it is the only file
 * served); no access log; the temp paths compiled into Debian's nginx (/var/lib/nginx/...) point into the temp
 * dir; as root, `user root` so workers can read the 0700 temp dir (the image runs workers as `nginx`).
 * `daemon`, `pid` and `error_log` come from `-g` / `-e` on the command line.
 */
function mainConf(dir: string, serverConfPath: string): string {
  const tmp = path.join(dir, "tmp");
  const user = process.getuid?.() === 0 ? "user root;\n" : "";
  return `${user}worker_processes 1;
events {
    worker_connections 64;
}
http {
    types {
        text/html html;
    }
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path ${tmp}/body;
    proxy_temp_path ${tmp}/proxy;
    fastcgi_temp_path ${tmp}/fastcgi;
    uwsgi_temp_path ${tmp}/uwsgi;
    scgi_temp_path ${tmp}/scgi;
    include ${serverConfPath};
}
`;
}

function nginxArgs(dir: string): string[] {
  const conf = path.join(dir, "nginx.conf");
  return ["-p", `${dir}/`, "-c", conf, "-e", "stderr", "-g", `daemon off; pid ${path.join(dir, "nginx.pid")}; error_log stderr;`];
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(port: number, urlPath: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: urlPath, method: "GET", agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.setTimeout(1000, () => req.destroy(new Error(`GET ${urlPath} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

/** True while any process of the group led by `pid` (nginx master and workers) exists. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

describe("maintenance page: real nginx with the declared config", function () {
  this.timeout(5000);

  const files = maintenancePageFiles();
  let nginx = "";
  let dir = "";
  let port = 0;
  let child: ChildProcess | undefined;
  let stderr = "";

  before(async () => {
    nginx = await findNginx();
    dir = await mkdtemp(path.join(os.tmpdir(), "aytq-maintenance-nginx-"));
    port = await freeLoopbackPort();
    const html = path.join(dir, "html");
    const serverConf = path.join(dir, "conf.d", "default.conf");
    await mkdir(html);
    await mkdir(path.dirname(serverConf));
    await mkdir(path.join(dir, "tmp"));
    await writeFile(path.join(html, "index.html"), files["index.html"]);
    await writeFile(serverConf, runnableServerConf(files, port, html));
    await writeFile(path.join(dir, "nginx.conf"), mainConf(dir, serverConf));

    // Its own process group, so the after hook can check that the master and its workers are all gone.
    const proc = spawn(nginx, nginxArgs(dir), { stdio: ["ignore", "ignore", "pipe"], detached: true });
    child = proc;
    proc.stderr?.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    const deadline = Date.now() + 3000;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        assert.fail(`nginx exited (${proc.exitCode ?? proc.signalCode}) before serving:\n${stderr}`);
      }
      if (!(await refused(port))) return;
      if (Date.now() > deadline) assert.fail(`nginx did not listen on 127.0.0.1:${port} within 3 s:\n${stderr}`);
      await sleep(20);
    }
  });

  after(async () => {
    const problems: string[] = [];
    if (child?.pid !== undefined) {
      const pid = child.pid;
      if (!(await exited(child, 0))) {
        child.kill("SIGTERM"); // nginx: fast shutdown, the master stops its workers
        if (!(await exited(child, 2000))) {
          problems.push(`nginx (pid ${pid}) did not stop on SIGTERM within 2 s; killed`);
          process.kill(-pid, "SIGKILL");
          await exited(child, 1000);
        }
      }
      for (let i = 0; i < 50 && groupAlive(pid); i++) await sleep(20);
      if (groupAlive(pid)) {
        problems.push(`nginx processes of group ${pid} still running after the master exited; killed`);
        process.kill(-pid, "SIGKILL");
      }
      if (!(await refused(port))) problems.push(`127.0.0.1:${port} still accepts connections after nginx stopped`);
    }
    if (dir !== "") {
      await rm(dir, { recursive: true, force: true });
      if (existsSync(dir)) problems.push(`temp dir ${dir} still exists`);
    }
    assert.deepEqual(problems, [], "nginx stopped and temp dir removed");
  });

  it("runs the files the program declares: the ConfigMap's data, mounted where the rewrite assumes", async () => {
    const e = await build("test", ["app.maintenance=true"]);
    const configMap = resource(e, PULUMI_TYPES.configMap, "aytq-app-maintenance-config");
    assert.deepEqual(input(configMap, "data"), { ...files });
    const deployment = resource(e, PULUMI_TYPES.deployment, "aytq-app-maintenance");
    assert.deepEqual(input(deployment, "spec.template.spec.containers.0.volumeMounts"), [
      { name: "config", mountPath: IMAGE_CONF_PATH, subPath: "default.conf" },
      { name: "config", mountPath: `${IMAGE_HTML_ROOT}/index.html`, subPath: "index.html" },
    ]);
    assert.equal(input(deployment, "spec.template.spec.containers.0.ports.0.containerPort"), MAINTENANCE_CONTAINER_PORT);
  });

  it("nginx -t accepts the config", async () => {
    const out = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(nginx, ["-t", ...nginxArgs(dir)], { timeout: 3000 }, (err, _stdout, errText) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
        resolve({ code, stderr: errText });
      });
    });
    assert.equal(out.code, 0, `nginx -t failed:\n${out.stderr}`);
    assert.match(out.stderr, /syntax is ok/);
    assert.match(out.stderr, /test is successful/);
  });

  it("/ answers 200 with the maintenance page, naming both services, never cached", async () => {
    const r = await get(port, "/");
    assert.equal(r.status, 200, r.body);
    assert.equal(r.body, files["index.html"]);
    assert.match(r.body, /Sorry, the service is unavailable/);
    assert.match(r.body, /Access your teaching qualifications/);
    assert.match(r.body, /Check a teacher's record/);
    assert.match(String(r.headers["content-type"]), /^text\/html/);
    assert.equal(r.headers["cache-control"], "no-store");
    assert.equal(r.headers["retry-after"], undefined, "/ is the page itself, not an error");
  });

  it("/index.html answers 503 like every other path (the page is only ever served as / or as the 503 body)", async () => {
    const r = await get(port, "/index.html");
    assert.equal(r.status, 503);
    assert.equal(r.body, files["index.html"]);
  });

  for (const p of SERVICE_PATHS) {
    it(`${p} answers 503 with the maintenance page`, async () => {
      const r = await get(port, p);
      assert.equal(r.status, 503, r.body);
      assert.equal(r.body, files["index.html"]);
      assert.match(String(r.headers["content-type"]), /^text\/html/);
      assert.equal(r.headers["cache-control"], "no-store");
      assert.equal(r.headers["retry-after"], "3600");
    });
  }
});
