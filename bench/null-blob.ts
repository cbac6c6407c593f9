/**
 * A blob endpoint that accepts everything and keeps nothing, in its own process: the same HTTP
 * requests as Azurite (create container, HEAD, stage block, commit block list) at almost no CPU.
 * The benchmark uploads into it to separate our pipeline's cost from Azurite's.
 */
import { spawn } from "node:child_process";
import { AZURITE_ACCOUNT, AZURITE_KEY } from "../recovery/data/azurite";

const SERVER = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  let n = 0;
  req.on("data", (c) => { n += c.length; });
  req.on("end", () => {
    const headers = { "x-ms-request-id": "0", "x-ms-version": "2025-01-05", "etag": '"0x1"', "last-modified": new Date().toUTCString(), "content-length": "0" };
    if (req.method === "HEAD") { res.writeHead(404, { ...headers, "x-ms-error-code": "BlobNotFound" }); res.end(); return; }
    res.writeHead(201, headers); res.end();
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));
`;

export interface NullBlobServer {
  connectionString: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startNullBlobServer(): Promise<NullBlobServer> {
  const child = spawn(process.execPath, ["-e", SERVER], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`,
    pid: child.pid ?? 0,
    stop: async () => {
      child.kill();
      await exited;
    },
  };
}
