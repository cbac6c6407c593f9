export * from "./checks";
export * from "./probes";
export * from "./branch-protection";
export * from "./github";
export * from "./server";
export * from "./monitoring";
