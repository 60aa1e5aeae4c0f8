export * from "./lakeFormationGrants";
export * from "./tagPlan";
