export * from "./checks";
export * from "./probes";
