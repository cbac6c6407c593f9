export * from "./azure";
export * from "./azure-incidents";
export * from "./core";
export * from "./local";
export * from "./measure";
export * from "./report";
export * from "./write-report";
