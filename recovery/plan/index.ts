export * from "./evaluate";
export * from "./diff";
export * from "./render";
export * from "./plan";
export { PLAN_SUBSCRIPTION_ID, PlanMocks } from "./mocks";
