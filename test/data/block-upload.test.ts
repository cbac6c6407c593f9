/**
 * BlockUpload against Azurite: bytes land whole and in order across blocks whatever the chunk sizes,
 * the metadata is read at the commit, the buffer pool is the memory bound, and nothing is committed
 * after a refused block, a destroy, or when the name already exists.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { BlobServiceClient, RestError, type ContainerClient } from "@azure/storage-blob";
import { AZURITE_KEY, type AzuriteHandle } from "../../recovery/data/azurite";
import { fileAzurite } from "../helpers/data";
import { BlockUpload, blockId } from "../../recovery/data/block-upload";

/** Chunks of pseudo-random sizes from 1 to max bytes (deterministic for a seed). */
function chunked(data: Buffer, max: number, seed = 7): Buffer[] {
  const out: Buffer[] = [];
  let s = seed;
  for (let offset = 0; offset < data.length; ) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const n = 1 + (s % max);
    out.push(data.subarray(offset, offset + n));
    offset += n;
  }
  return out;
}

describe("BlockUpload: a stream into a block blob, committed only at the end", function () {
  this.timeout(60_000);
  let azurite: AzuriteHandle;
  let container: ContainerClient;
  let n = 0;
  const blobName = (): string => `b-${++n}.bin`;

  before(async () => {
    azurite = await fileAzurite();
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient("uploads");
    await container.create();
  });
  after(async () => azurite?.stop());

  it("stores every byte in order across blocks, whatever the chunk sizes, and commits the metadata as it is at the end", async () => {
    const data = randomBytes(10_000);
    const blob = container.getBlockBlobClient(blobName());
    const metadata: Record<string, string> = { tool: "aytq-dr" };
    const upload = new BlockUpload(blob, { blockBytes: 1024, concurrency: 2, metadata, blobHTTPHeaders: { blobContentType: "application/gzip" } });
    const source = Readable.from(chunked(data, 3000));
    source.on("end", () => (metadata.sha256 = "filled-in-last"));
    await pipeline(source, upload);
    assert.equal(upload.committed, true);
    assert.deepEqual(await blob.downloadToBuffer(), data);
    const list = await blob.getBlockList("committed");
    assert.deepEqual(
      list.committedBlocks?.map((b) => b.size),
      [...Array(9).fill(1024), 10_000 - 9 * 1024],
    );
    const props = await blob.getProperties();
    assert.deepEqual(props.metadata, { tool: "aytq-dr", sha256: "filled-in-last" });
    assert.equal(props.contentType, "application/gzip");
    assert.equal(upload.stagedBytes, data.length);
    assert.ok(upload.buffers <= 2, `at most 2 block buffers, saw ${upload.buffers}`);
  });

  it("never holds more block buffers than its concurrency, however fast the input comes", async () => {
    const blob = container.getBlockBlobClient(blobName());
    const upload = new BlockUpload(blob, { blockBytes: 64 * 1024, concurrency: 3 });
    const data = randomBytes(64 * 1024 * 40 + 5);
    await pipeline(Readable.from(chunked(data, 200_000)), upload);
    assert.equal(upload.buffers, 3);
    assert.equal((await blob.getProperties()).contentLength, data.length);
    assert.deepEqual(await blob.downloadToBuffer(), data);
  });

  it("an empty input commits an empty blob", async () => {
    const blob = container.getBlockBlobClient(blobName());
    await pipeline(Readable.from([]), new BlockUpload(blob, { blockBytes: 1024, concurrency: 2 }));
    assert.equal((await blob.getProperties()).contentLength, 0);
  });

  it("block ids have one length within a blob (Azure's rule), up to its 50,000 blocks", () => {
    const lengths = new Set([0, 9, 10, 49_999].map((i) => blockId("0f1e2d3c-0000-4000-8000-000000000000", i).length));
    assert.equal(lengths.size, 1);
  });

  it("a refused block fails the stream at once and nothing is committed: no blob", async () => {
    const name = blobName();
    const wrongKey = azurite.connectionString.replace(AZURITE_KEY, Buffer.alloc(64, 1).toString("base64"));
    const refused = BlobServiceClient.fromConnectionString(wrongKey).getContainerClient("uploads").getBlockBlobClient(name);
    const upload = new BlockUpload(refused, { blockBytes: 1024, concurrency: 2 });
    // an input that never ends by itself: the failure must not wait for more input or for the end
    const source = new Readable({ read() {} });
    source.push(randomBytes(1024)); // one whole block: staged, and the write done before the refusal comes
    await assert.rejects(pipeline(source, upload), (err: unknown) => err instanceof RestError && err.statusCode === 403);
    assert.equal(upload.committed, false);
    assert.equal(await container.getBlockBlobClient(name).exists(), false);
  });

  it("destroyed after blocks were staged: they are never committed, no blob", async () => {
    const name = blobName();
    const blob = container.getBlockBlobClient(name);
    const upload = new BlockUpload(blob, { blockBytes: 1024, concurrency: 2 });
    upload.write(randomBytes(3 * 1024));
    while (upload.stagedBytes < 2048) await new Promise((r) => setTimeout(r, 10));
    const errored = new Promise<Error>((r) => upload.once("error", r));
    upload.destroy(new Error("the dump failed"));
    assert.equal((await errored).message, "the dump failed");
    await new Promise((r) => (upload.closed ? r(undefined) : upload.once("close", r)));
    assert.equal(upload.committed, false);
    assert.equal(await blob.exists(), false);
    const staged = await blob.getBlockList("uncommitted");
    assert.ok((staged.uncommittedBlocks?.length ?? 0) >= 2, "the blocks were staged, only never committed");
  });

  it("a name that exists already is refused at the commit (ifNoneMatch) and the existing blob is untouched", async () => {
    const name = blobName();
    const blob = container.getBlockBlobClient(name);
    await blob.upload("first", 5);
    const upload = new BlockUpload(blob, { blockBytes: 1024, concurrency: 2, conditions: { ifNoneMatch: "*" } });
    await assert.rejects(pipeline(Readable.from([randomBytes(5000)]), upload), (err: unknown) => err instanceof RestError && (err.statusCode === 409 || err.statusCode === 412));
    assert.equal(upload.committed, false);
    assert.equal((await blob.downloadToBuffer()).toString(), "first");
  });
});
