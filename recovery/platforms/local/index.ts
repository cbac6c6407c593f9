export * from "./app";
export * from "./dataset";
export * from "./environment";
export * from "./pitr";
export * from "./platform";
export * from "./workfolder";
