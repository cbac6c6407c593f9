export * from "./port";
export * from "./automation";
