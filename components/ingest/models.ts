/**
 * The ingest request models live in the data plane (dataplane/ingest/models.ts) so the local
 * pipeline's server validates with the same definitions as the API Gateway document; re-exported here.
 */
export * from "../../dataplane/ingest/models";
