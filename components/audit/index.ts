export * from "./accessAudit";
export { auditKeyPolicyDocument, objectReadSelector, trailBucketStatements, trailArn } from "./policies";
