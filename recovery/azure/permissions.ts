/**
 * What an identity may do on a scope, as Azure answers `Microsoft.Authorization/permissions` (one
 * entry per role assignment: actions and notActions, with `*` wildcards), and the one question
 * recovery asks of it: may this identity write management locks? Creating a lock needs
 * `Microsoft.Authorization/locks/write`, which among built-in roles only Owner and User Access
 * Administrator grant; Contributor excludes `Microsoft.Authorization/*\/Write` (ENGINE.md §12). Pure.
 */

/** One permission entry (a role's `permissions[i]`, or one of `GET .../providers/Microsoft.Authorization/permissions`). */
export interface AzurePermission {
  actions: readonly string[];
  notActions: readonly string[];
}

/** The action creating (or changing) a management lock needs. */
export const LOCK_WRITE = "Microsoft.Authorization/locks/write";

/** The built-in roles that grant {@link LOCK_WRITE}, in words for a fix line. */
export const LOCK_ROLES = "Owner or User Access Administrator";

/** Azure's action wildcards: `*` stands for any run of characters, `/` included; names compare without case. */
function matches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join(".*")}$`, "i");
  return re.test(action);
}

/** Whether the permissions allow `action`: some entry has an action that matches it and no notAction that does. */
export function actionAllowed(permissions: readonly AzurePermission[], action: string): boolean {
  return permissions.some((p) => p.actions.some((a) => matches(a, action)) && !p.notActions.some((n) => matches(n, action)));
}

/**
 * Built-in roles' permissions, as Microsoft's "Azure built-in roles" reference lists them (only the
 * entries that bear on Microsoft.Authorization), for the simulated Azure and the tests.
 */
export const BUILT_IN_ROLES: Readonly<Record<"Owner" | "Contributor" | "Reader" | "User Access Administrator", AzurePermission>> = {
  Owner: { actions: ["*"], notActions: [] },
  Contributor: {
    actions: ["*"],
    notActions: ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action", "Microsoft.Blueprint/blueprintAssignments/write", "Microsoft.Blueprint/blueprintAssignments/delete"],
  },
  Reader: { actions: ["*/read"], notActions: [] },
  "User Access Administrator": { actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"], notActions: [] },
};

export type BuiltInRole = keyof typeof BUILT_IN_ROLES;
