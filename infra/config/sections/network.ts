/** `aytq:network`: where the servers live, the cluster's virtual network and private DNS zone. */
import { z } from "zod";

/** The section as the stack file writes it: the network is the cluster's, so only its names are given. */
export const networkSchema = z
  .object({
    /** Resource group of the cluster's virtual network. */
    vnetResourceGroupName: z.string().min(1),
    vnetName: z.string().min(1),
    /** @default "postgres-snet" */
    subnetName: z.string().min(1).default("postgres-snet"),
    privateDnsZoneName: z.string().min(1),
    privateDnsZoneResourceGroupName: z.string().min(1),
  })
  .strict();
