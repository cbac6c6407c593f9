export * from "./operations";
export * from "./gate";
export * from "./apply";
export * from "./guard";
export * from "./converge";
