/**
 * From raw config to the typed settings the program reads: validated once, every problem reported
 * at once with its key, and the defaults that depend on other keys filled in. Pure: no Pulumi
 * runtime needed, so the driver and `plan` use the same rules as the program.
 */
import type { z } from "zod";
import { configErrorOf } from "./errors";
import { RawConfig, normalise } from "./raw";
import { rootSchema } from "./schema";
import { PipelineSettings, pipelineStackSchema } from "./sections/pipeline";

type RawSettings = z.output<typeof rootSchema>;

type RawMonitoring = RawSettings["monitoring"];

/** The validated, typed settings the program reads. Derived defaults are filled in. */
export type Settings = Omit<RawSettings, "protectStateful" | "monitoring" | "locks" | "pipeline"> & {
  protectStateful: boolean;
  monitoring: Omit<RawMonitoring, "enabled" | "workspaceName" | "diagnosticSettingName" | "actionGroup" | "statusCake"> & {
    enabled: boolean;
    workspaceName: string;
    diagnosticSettingName: string;
    actionGroup: RawMonitoring["actionGroup"] & { name: string; shortName: string };
    statusCake: RawMonitoring["statusCake"] & { contactGroup: { name: string; emailAddresses: string[] } };
  };
  locks: { enabled: boolean };
  app: RawSettings["app"] & { ingressNames: { aytq: string; ctr: string }; databaseSecretName: string };
};

/**
 * Validate Pulumi.pipeline.yaml's config into the pipeline settings. Throws {@link ConfigError}
 * naming every bad key, as {@link parseSettings} does for an environment.
 */
export function parsePipelineSettings(raw: RawConfig): PipelineSettings {
  const input = normalise(raw);
  const result = pipelineStackSchema.safeParse(input);
  if (!result.success) throw configErrorOf(result.error, input);
  return result.data.pipeline;
}

/**
 * Validate raw config into Settings. Throws {@link ConfigError} naming every bad key.
 * Pure: no Pulumi runtime needed, so the driver and `plan` use the same rules as the program.
 */
export function parseSettings(raw: RawConfig): Settings {
  const input = normalise(raw);
  const result = rootSchema.safeParse(input);
  if (!result.success) throw configErrorOf(result.error, input);
  // refused above when set: an environment's settings have no pipeline section
  const { pipeline: _moved, ...s } = result.data;
  const production = s.environment === "production";
  return {
    ...s,
    protectStateful: s.protectStateful ?? production,
    monitoring: {
      ...s.monitoring,
      enabled: s.monitoring.enabled ?? production,
      workspaceName: s.monitoring.workspaceName ?? `${s.database.serverName}-log`,
      diagnosticSettingName: s.monitoring.diagnosticSettingName ?? `${s.database.serverName}-diagnostics`,
      actionGroup: {
        ...s.monitoring.actionGroup,
        name: s.monitoring.actionGroup.name ?? `${s.database.serverName}-alerts`,
        shortName: s.monitoring.actionGroup.shortName ?? `aytq-${s.shortCode}`,
      },
      statusCake: {
        ...s.monitoring.statusCake,
        contactGroup: { ...s.monitoring.statusCake.contactGroup, name: s.monitoring.statusCake.contactGroup.name ?? `AYTQ and CTR ${s.environment}` },
      },
    },
    locks: { enabled: s.locks.enabled ?? production },
    app: {
      ...s.app,
      ingressNames: s.app.ingressNames ?? { aytq: `${s.app.webDeployment}-aytq`, ctr: `${s.app.webDeployment}-ctr` },
      databaseSecretName: s.app.databaseSecretName ?? `${s.app.webDeployment}-secret`,
    },
  };
}
