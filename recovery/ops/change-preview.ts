/**
 * The preview of a change made outside any recovery (a pull request's program or stack file):
 * `pulumi preview --diff` of the stack as committed, and the gate's verdict on it. Refused when
 * it deletes or replaces a protected resource; "attention" when it changes anything else, since
 * every recovery on that stack stops at its first preview until the change is applied.
 */
import { checkChange, type GateResult } from "./gate";
import type { PreviewResult, StackPort, StepOp } from "../stack/port";
import { redact } from "../util/redact";

type ChangeVerdict = "pass" | "attention" | "refused";

export interface ChangePreview {
  stack: string;
  verdict: ChangeVerdict;
  gate: GateResult;
  changeSummary: Partial<Record<StepOp, number>>;
  /** `pulumi preview --diff`'s text, redacted and without colour codes. */
  diffText: string;
}

/** The verdict on a preview already made (pure). */
export function judgeChange(stack: string, preview: PreviewResult, liveServerName: string): ChangePreview {
  const gate = checkChange(preview.steps, { liveServerName });
  const verdict: ChangeVerdict = !gate.ok ? "refused" : gate.changes.length > 0 ? "attention" : "pass";
  const diffText = redact(preview.diffText.replace(/\u001b\[[0-9;]*m/g, ""));
  return { stack, verdict, gate, changeSummary: preview.changeSummary, diffText };
}

/** Preview the stack as committed (no config change) and judge it. Changes nothing. */
export async function previewChange(port: StackPort, liveServerName: string): Promise<ChangePreview> {
  return judgeChange(port.stackName, await port.preview(), liveServerName);
}

const HEADLINE: Record<ChangeVerdict, string> = {
  pass: "✅ no change",
  attention: "⚠️ changes, none that deletes or replaces a protected resource",
  refused: "❌ refused: deletes or replaces a protected resource",
};

/** What the verdict means for the people about to merge. */
function verdictExplanation(p: ChangePreview): string {
  switch (p.verdict) {
    case "pass":
      return `Nothing changes on ${p.stack}: recoveries there see only their own changes.`;
    case "attention":
      return `Apply it soon after merging (\`pulumi up --stack ${p.stack}\`): until it is applied, every recovery on ${p.stack} stops at its first preview, whose gate refuses changes the operation does not expect.`;
    case "refused":
      return `Do not merge as it is: ${p.stack} would lose or rebuild a resource that holds data. Change the program so the resource is kept (or, if this is really meant, do it by hand with a backup first).`;
    default: {
      const unknown: never = p.verdict;
      return unknown;
    }
  }
}

/** Plain text for a terminal. */
export function changePreviewText(p: ChangePreview): string {
  const lines = [`${p.stack}: ${HEADLINE[p.verdict]}`, verdictExplanation(p)];
  for (const s of p.gate.changes) {
    const offence = p.gate.offences.find((o) => o.step.urn === s.urn && o.step.op === s.op);
    lines.push(`  ${s.op} ${s.type} "${s.name}"${offence ? `: ${offence.reason}` : ""}`);
  }
  return lines.join("\n");
}

/** Markdown for a preview the engine itself refused (a protected resource, a program error): its message is the verdict. */
export function failedPreviewMarkdown(stack: string, message: string): string {
  const text = redact(message).trim();
  const fence = "`".repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return [`### ${stack}: ❌ the preview failed`, "", "Pulumi could not preview the change; its message:", "", fence, text, fence, ""].join("\n");
}

/** Markdown for a pull request comment and the job summary; the diff is cut at `maxDiffChars`. */
export function changePreviewMarkdown(p: ChangePreview, maxDiffChars = 20_000): string {
  const lines = [`### ${p.stack}: ${HEADLINE[p.verdict]}`, "", verdictExplanation(p), ""];
  if (p.gate.changes.length) {
    lines.push("| change | type | name | gate |", "| --- | --- | --- | --- |");
    for (const s of p.gate.changes) {
      const offence = p.gate.offences.find((o) => o.step.urn === s.urn && o.step.op === s.op);
      lines.push(`| ${s.op} | \`${s.type}\` | \`${s.name}\` | ${offence ? `❌ ${offence.reason}` : s.protected ? "protected, not removed" : ""} |`);
    }
    lines.push("");
  }
  const diff = p.diffText.trim();
  if (diff) {
    const cut = diff.length > maxDiffChars ? diff.slice(0, maxDiffChars) + `\n... (${diff.length - maxDiffChars} more characters in the job's log)` : diff;
    // a fence longer than any run of backticks in the text, so the diff cannot close it
    const fence = "`".repeat(Math.max(3, ...[...cut.matchAll(/`+/g)].map((m) => m[0].length + 1)));
    lines.push("<details><summary><code>pulumi preview --diff</code></summary>", "", fence + "diff", cut, fence, "", "</details>", "");
  }
  return lines.join("\n");
}
