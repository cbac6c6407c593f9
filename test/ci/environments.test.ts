/** Each stack's Pulumi state, key vault and cluster for the workflows, and the stack file's secrets provider. */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { STACK_NAMES } from "../../infra/config";
import { CI_ENVIRONMENTS, checkSecretsProvider, ciEnvironmentVariables, githubEnvironmentName, JOB_ROLES, oidcSubject, parseGithubEnvironmentName, secretsProviderUrl } from "../../recovery/ci/environments";
import { main } from "../../recovery/cli/main";
import type { CliIO } from "../../recovery/cli/io";
import { UsageError } from "../../recovery/errors";

describe("ci/environments: where each stack's state, secrets and cluster are", () => {
  it("uses FACTS.md's names: state storage account, infrastructure key vault, AKS cluster and its resource group", () => {
    // shared/reference/FACTS.md, "Names per environment"
    assert.deepEqual(CI_ENVIRONMENTS, {
      test: { stateStorageAccount: "s189t01aytqtstfsa", infrastructureKeyVault: "s189t01-aytq-ts-inf-kv", aksCluster: "s189t01-tsc-test-aks", aksResourceGroup: "s189t01-tsc-ts-rg" },
      preproduction: { stateStorageAccount: "s189t01aytqpptfsa", infrastructureKeyVault: "s189t01-aytq-pp-inf-kv", aksCluster: "s189t01-tsc-test-aks", aksResourceGroup: "s189t01-tsc-ts-rg" },
      production: { stateStorageAccount: "s189p01aytqpdtfsa", infrastructureKeyVault: "s189p01-aytq-pd-inf-kv", aksCluster: "s189p01-tsc-production-aks", aksResourceGroup: "s189p01-tsc-pd-rg" },
    });
    assert.deepEqual(Object.keys(CI_ENVIRONMENTS).sort(), [...STACK_NAMES].sort());
  });

  it("exports what the Pulumi CLI and az aks get-credentials read, as docs/infra.md logs in", () => {
    assert.deepEqual(ciEnvironmentVariables("production"), {
      AYTQ_DR_STACK: "production",
      AZURE_STORAGE_ACCOUNT: "s189p01aytqpdtfsa",
      PULUMI_BACKEND_URL: "azblob://pulumi-state",
      AYTQ_DR_SECRETS_PROVIDER: "azurekeyvault://s189p01-aytq-pd-inf-kv.vault.azure.net/keys/pulumi-secrets",
      PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: "true",
      AKS_RESOURCE_GROUP: "s189p01-tsc-pd-rg",
      AKS_CLUSTER_NAME: "s189p01-tsc-production-aks",
    });
  });

  describe("a GitHub environment per stack and job role", () => {
    it("recovery <stack>, backup <stack>-backup, preview <stack>-preview: nine names, none the same", () => {
      assert.deepEqual(
        STACK_NAMES.map((s) => JOB_ROLES.map((r) => githubEnvironmentName(s, r))),
        [
          ["test", "test-backup", "test-preview"],
          ["preproduction", "preproduction-backup", "preproduction-preview"],
          ["production", "production-backup", "production-preview"],
        ],
      );
      const all = STACK_NAMES.flatMap((s) => JOB_ROLES.map((r) => githubEnvironmentName(s, r)));
      assert.equal(new Set(all).size, 9);
      for (const s of STACK_NAMES) for (const r of JOB_ROLES) assert.deepEqual(parseGithubEnvironmentName(githubEnvironmentName(s, r)), { stack: s, role: r });
      assert.equal(parseGithubEnvironmentName("production-restore"), undefined);
      assert.equal(parseGithubEnvironmentName("prod"), undefined);
    });
    it("each has its own OIDC subject, the federated credential Azure trusts for it", () => {
      assert.equal(oidcSubject("DFE-Digital/aytq-dr", "production", "backup"), "repo:DFE-Digital/aytq-dr:environment:production-backup");
      assert.equal(oidcSubject("DFE-Digital/aytq-dr", "production", "preview"), "repo:DFE-Digital/aytq-dr:environment:production-preview");
      assert.equal(oidcSubject("DFE-Digital/aytq-dr", "production", "recover"), "repo:DFE-Digital/aytq-dr:environment:production");
      assert.throws(() => oidcSubject("aytq-dr", "test", "recover"), UsageError);
    });
  });

  describe("the stack file's secrets provider", () => {
    it("accepts none (Pulumi uses the one in state) and the environment's own key vault", () => {
      assert.match(checkSecretsProvider("test", "config:\n  aytq:environment: test\n"), /recorded in the stack's state/);
      assert.match(checkSecretsProvider("test", `secretsprovider: ${secretsProviderUrl("test")}\nencryptedkey: abc\nconfig: {}\n`), /stack file/);
    });
    it("refuses another environment's key vault, naming both", () => {
      assert.throws(
        () => checkSecretsProvider("production", `secretsprovider: ${secretsProviderUrl("test")}\n`),
        (e: unknown) => e instanceof UsageError && /s189t01-aytq-ts-inf-kv/.test(e.message) && /s189p01-aytq-pd-inf-kv/.test(e.message),
      );
    });
    it("refuses a passphrase-protected stack, which a workflow cannot open", () => {
      assert.throws(() => checkSecretsProvider("test", "encryptionsalt: v1:abc\nconfig: {}\n"), (e: unknown) => e instanceof UsageError && /passphrase/.test(e.message) && /change-secrets-provider/.test(e.hint ?? ""));
    });
    it("the committed stack files pass", () => {
      for (const stack of STACK_NAMES) assert.doesNotThrow(() => checkSecretsProvider(stack, readFileSync(path.join(__dirname, "..", "..", `Pulumi.${stack}.yaml`), "utf8")));
    });
  });

  describe("aytq-dr ci env", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "aytq-ci-env-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const io = (env: NodeJS.ProcessEnv): CliIO & { lines: string[] } => {
      const lines: string[] = [];
      return { out: (t) => lines.push(t), err: (t) => lines.push(t), isTTY: false, env, lines };
    };

    it("prints the variables and appends them to GITHUB_ENV for the job's later steps", async () => {
      const env = { GITHUB_ENV: path.join(dir, "env") };
      const t = io(env);
      assert.equal(await main(["node", "aytq-dr", "ci", "env", "--stack", "preproduction"], t), 0, t.lines.join("\n"));
      const written = readFileSync(env.GITHUB_ENV, "utf8");
      assert.match(written, /^AZURE_STORAGE_ACCOUNT=s189t01aytqpptfsa$/m);
      assert.match(written, /^AKS_CLUSTER_NAME=s189t01-tsc-test-aks$/m);
      assert.match(t.lines.join("\n"), /PULUMI_BACKEND_URL=azblob:\/\/pulumi-state/);
    });

    it("refuses an unknown stack before writing anything (exit 2)", async () => {
      const env = { GITHUB_ENV: path.join(dir, "env") };
      assert.equal(await main(["node", "aytq-dr", "ci", "env", "--stack", "prod"], io(env)), 2);
      assert.throws(() => readFileSync(env.GITHUB_ENV));
    });
  });
});
