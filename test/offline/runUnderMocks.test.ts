import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { runUnderMocks } from "../../offline/runUnderMocks";

class Box extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("test:box:Box", name, {}, opts);
        const b = new aws.s3.Bucket(`${name}-data`, { forceDestroy: false }, { parent: this });
        this.bucketName = b.bucket;
        this.registerOutputs({ bucketName: this.bucketName });
    }
}

describe("offline/runUnderMocks", () => {
    it("captures type, name, parent and inputs of every resource and resolves outputs", async () => {
        const run = await runUnderMocks({
            stack: "dev",
            config: { greeting: "hi", "aws:region": "eu-west-1" },
            program: () => {
                const cfg = new pulumi.Config();
                const box = new Box("box");
                return { bucket: box.bucketName, greeting: cfg.require("greeting"), region: new pulumi.Config("aws").require("region") };
            },
        });
        const types = run.resources.map((r) => `${r.type}|${r.name}|${r.parent ?? ""}`);
        assert.deepEqual(types, ["test:box:Box|box|", "aws:s3/bucket:Bucket|box-data|test:box:Box::box"]);
        assert.equal(run.resources[1].inputs.forceDestroy, false);
        assert.match(String(run.outputs.bucket), /^box-data-/);
        assert.equal(run.outputs.greeting, "hi");
        assert.equal(run.outputs.region, "eu-west-1");
        assert.equal(run.resources[1].urn, "urn:pulumi:dev::clickstream::test:box:Box$aws:s3/bucket:Bucket::box-data");
        // A child's parentUrn is its component's URN; a top-level resource has none (the stack is not shown).
        assert.equal(run.resources[0].parentUrn, undefined);
        assert.equal(run.resources[1].parentUrn, run.resources[0].urn);
    });

    it("isolates consecutive runs (resources and config do not leak)", async () => {
        const first = await runUnderMocks({ stack: "a", config: { only: "first" }, program: () => { new aws.sqs.Queue("q1"); return {}; } });
        const second = await runUnderMocks({
            stack: "b",
            program: () => { new aws.sqs.Queue("q2"); return { only: new pulumi.Config().get("only") ?? "unset", stack: pulumi.getStack() }; },
        });
        assert.deepEqual(first.resources.map((r) => r.name), ["q1"]);
        assert.deepEqual(second.resources.map((r) => r.name), ["q2"]);
        assert.equal(second.outputs.only, "unset");
        assert.equal(second.outputs.stack, "b");
    });
});
