export * from "./azure";
export * from "./local";
export * from "./measure";
export * from "./report";
