export * from "./parse";
export * from "./rules";
