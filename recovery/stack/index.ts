export * from "./port";
export * from "./automation";
export * from "./fake";
