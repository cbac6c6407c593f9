/**
 * The bytes of a stack file as the commands read them (`Pulumi.<stack>.yaml` in the project), for
 * running main in-process against a damaged file without touching the committed one: only that
 * path's reads are answered with `text`, as the real file system would return those bytes.
 */
// the module object itself (a namespace import is a frozen copy): the commands read through it
import fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../recovery/config/stackfile";

export async function withStackFileText<T>(stack: string, text: string, run: () => Promise<T>): Promise<T> {
  const file = path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
  const real = fs.readFileSync;
  const bytes = Buffer.from(text, "utf8");
  const fake = ((p: fs.PathOrFileDescriptor, options?: unknown) => {
    if (p !== file) return (real as (p: fs.PathOrFileDescriptor, o?: unknown) => unknown)(p, options);
    const encoding = typeof options === "string" ? (options as BufferEncoding) : (options as { encoding?: BufferEncoding } | undefined)?.encoding;
    return encoding ? bytes.toString(encoding) : Buffer.from(bytes);
  }) as typeof fs.readFileSync;
  fs.readFileSync = fake;
  try {
    return await run();
  } finally {
    fs.readFileSync = real;
  }
}
