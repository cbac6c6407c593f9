/** Each stack's values from shared/reference/FACTS.md, which the program must declare. */
import { StackName } from "../../infra/config";

export interface StackFacts {
  rg: string;
  server: string;
  database: string;
  sku: string;
  tier: string;
  ha: string;
  vnetRg: string;
  vnet: string;
  dnsZone: string;
  dnsZoneRg: string;
  account: string;
  immutabilityDays: number;
  namespace: string;
  web: string;
  worker: string;
  webReplicas: number;
  workerReplicas: number;
  production: boolean;
}

export const FACTS: Record<StackName, StackFacts> = {
  test: {
    rg: "s189t01-aytq-ts-rg",
    server: "s189t01-aytq-ts-pg",
    database: "aytq_test",
    sku: "B_Standard_B1ms",
    tier: "Burstable",
    ha: "Disabled",
    vnetRg: "s189t01-tsc-ts-rg",
    vnet: "s189t01-tsc-test-vnet",
    dnsZone: "test.internal.postgres.database.azure.com",
    dnsZoneRg: "s189t01-tsc-test-bs-rg",
    account: "s189t01aytqdbbkptssa",
    immutabilityDays: 0,
    namespace: "tra-test",
    web: "access-your-teaching-qualifications-test",
    worker: "access-your-teaching-qualifications-test-worker",
    webReplicas: 1,
    workerReplicas: 1,
    production: false,
  },
  preproduction: {
    rg: "s189t01-aytq-pp-rg",
    server: "s189t01-aytq-pp-pg",
    database: "aytq_preprod",
    sku: "B_Standard_B1ms",
    tier: "Burstable",
    ha: "Disabled",
    vnetRg: "s189t01-tsc-ts-rg",
    vnet: "s189t01-tsc-test-vnet",
    dnsZone: "test.internal.postgres.database.azure.com",
    dnsZoneRg: "s189t01-tsc-test-bs-rg",
    account: "s189t01aytqdbbkpppsa",
    immutabilityDays: 0,
    namespace: "tra-test",
    web: "access-your-teaching-qualifications-preprod",
    worker: "access-your-teaching-qualifications-preprod-worker",
    webReplicas: 1,
    workerReplicas: 1,
    production: false,
  },
  production: {
    rg: "s189p01-aytq-pd-rg",
    server: "s189p01-aytq-pd-pg",
    database: "aytq_production",
    sku: "GP_Standard_D2ds_v4",
    tier: "GeneralPurpose",
    ha: "ZoneRedundant",
    vnetRg: "s189p01-tsc-pd-rg",
    vnet: "s189p01-tsc-production-vnet",
    dnsZone: "production.internal.postgres.database.azure.com",
    dnsZoneRg: "s189p01-tsc-production-bs-rg",
    account: "s189p01aytqdbbkppdsa",
    immutabilityDays: 14,
    namespace: "tra-production",
    web: "access-your-teaching-qualifications-production",
    worker: "access-your-teaching-qualifications-production-worker",
    webReplicas: 2,
    workerReplicas: 1,
    production: true,
  },
};
