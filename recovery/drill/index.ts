export * from "./azure/confirm";
export * from "./azure/incidents";
export * from "./azure/site";
export * from "./constants";
export * from "./driver";
export * from "./incidents";
export * from "./report";
