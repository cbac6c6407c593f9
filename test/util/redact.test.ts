import { strict as assert } from "node:assert";
import { maskUrl, redact } from "../../recovery/util/redact";

describe("redact", () => {
  const cases: [string, string, string][] = [
    ["a URL password", "postgres://aytq:hunter22@db.internal:5432/aytq_test", "postgres://aytq:***@db.internal:5432/aytq_test"],
    ["a password with an unencoded @", "postgres://aytq:p@ss@word@db:5432/x", "postgres://aytq:***@db:5432/x"],
    ["a URL without credentials", "postgres://db.internal:5432/aytq_test", "postgres://db.internal:5432/aytq_test"],
    ["an @ in a query string", "https://host:8080/health?by=ops@example.com", "https://host:8080/health?by=ops@example.com"],
  ];
  for (const [what, input, expected] of cases) {
    it(`masks ${what}`, () => {
      assert.equal(maskUrl(input), expected);
      assert.equal(redact(`failed: ${input} refused`), `failed: ${expected} refused`);
    });
  }

  it("masks storage keys, signatures and given secrets inside free text", () => {
    const text = "DefaultEndpointsProtocol=https;AccountName=acc;AccountKey=abc123==;EndpointSuffix=core.windows.net ?sv=1&sig=XYZ%3D token s3cr3t-token";
    const out = redact(text, ["s3cr3t-token"]);
    assert.ok(!out.includes("abc123"), out);
    assert.ok(!out.includes("XYZ"), out);
    assert.ok(!out.includes("s3cr3t-token"), out);
    assert.ok(out.includes("AccountName=acc"), out);
  });
});
