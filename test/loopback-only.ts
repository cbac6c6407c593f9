/**
 * Loaded before every test file (.mocharc.json "require", so in each parallel worker too) and
 * inherited by the processes the tests start: Azure's credential chain must never probe the
 * managed-identity endpoint (169.254.169.254) or log in anywhere. Its endpoints point at a closed
 * loopback port (9, discard, unused here), so a DefaultAzureCredential a test reaches by mistake
 * fails at once instead of leaving the machine (DESIGN.md, pitfalls). A test that sets one of
 * them itself keeps its own value.
 */
const CLOSED = "127.0.0.1:9";

// ManagedIdentityCredential's IMDS probe goes here instead of 169.254.169.254
process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST ??= `http://${CLOSED}`;
// Microsoft Entra logins (EnvironmentCredential, workload identity) go here instead of
// login.microsoftonline.com; https, as the credentials require (an http host takes managed
// identity out of the chain altogether, which would hide the probe rather than point it home)
process.env.AZURE_AUTHORITY_HOST ??= `https://${CLOSED}`;
