export * from "./parse";
export * from "./rules";
export * from "./zones";
