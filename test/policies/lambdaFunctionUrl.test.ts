/** The function URL policies: the compliant baseline passes, each mutation is caught. */
import { strict as assert } from "assert";
import { baselineResources, mutate, violationsOf } from "./baseline";

const URL = "aws:lambda/functionUrl:FunctionUrl";
const FN = "aws:lambda/function:Function";
const PERMISSION = "aws:lambda/permission:Permission";
const POLICIES = ["clickstream-lambda-function-url-cors", "clickstream-lambda-function-url-concurrency", "clickstream-lambda-public-invoke-via-url-only", "clickstream-lambda-function-url-authenticated"];

describe("policies: Lambda function URLs", function () {
    this.timeout(60_000);

    it("the baseline's function URL passes all four", async () => {
        const resources = await baselineResources();
        for (const p of POLICIES) assert.deepEqual(await violationsOf(p, resources), [], p);
    });

    it("CORS: credentials with the wildcard origin, or no origins named", async () => {
        const wildcard = mutate(await baselineResources(), URL, "collector-url", (i) => ({ ...i, cors: { ...i.cors, allowOrigins: ["*"], allowCredentials: true } }));
        const [v] = await violationsOf("clickstream-lambda-function-url-cors", wildcard);
        assert.match(v.message, /"\*" with allowCredentials true/);
        const empty = mutate(await baselineResources(), URL, "collector-url", (i) => ({ ...i, cors: { ...i.cors, allowOrigins: [] } }));
        const [e] = await violationsOf("clickstream-lambda-function-url-cors", empty);
        assert.match(e.message, /allowOrigins is empty/);
        const noCors = mutate(await baselineResources(), URL, "collector-url", ({ cors, ...rest }) => rest);
        assert.deepEqual(await violationsOf("clickstream-lambda-function-url-cors", noCors), []);
    });

    it("concurrency: a public URL's function without reserved concurrency", async () => {
        const r = mutate(await baselineResources(), FN, "collector", ({ reservedConcurrentExecutions, ...rest }) => rest);
        const [v] = await violationsOf("clickstream-lambda-function-url-concurrency", r);
        assert.match(v.message, /serves public function URL collector-url without reservedConcurrentExecutions/);
        const iam = mutate(mutate(await baselineResources(), FN, "collector", ({ reservedConcurrentExecutions, ...rest }) => rest), URL, "collector-url", (i) => ({ ...i, authorizationType: "AWS_IAM" }));
        assert.deepEqual(await violationsOf("clickstream-lambda-function-url-concurrency", iam), []);
    });

    it("public invoke: InvokeFunction without the function-URL condition, or another public action", async () => {
        const open = mutate(await baselineResources(), PERMISSION, "collector-url-invoke-function", ({ invokedViaFunctionUrl, ...rest }) => rest);
        const [v] = await violationsOf("clickstream-lambda-public-invoke-via-url-only", open);
        assert.match(v.message, /without invokedViaFunctionUrl/);
        const urlNoType = mutate(await baselineResources(), PERMISSION, "collector-url-invoke", ({ functionUrlAuthType, ...rest }) => rest);
        assert.match((await violationsOf("clickstream-lambda-public-invoke-via-url-only", urlNoType))[0].message, /without functionUrlAuthType/);
        const other = mutate(await baselineResources(), PERMISSION, "collector-url-invoke", (i) => ({ ...i, action: "lambda:GetFunction" }));
        assert.match((await violationsOf("clickstream-lambda-public-invoke-via-url-only", other))[0].message, /Public lambda:GetFunction/);
    });

    it("authenticated: in prod, an open URL whose function does not check write keys", async () => {
        const r = mutate(await baselineResources(), FN, "collector", (i) => ({ ...i, environment: { variables: { CLICKSTREAM_AUTH: "none" } } }));
        const [v] = await violationsOf("clickstream-lambda-function-url-authenticated", r);
        assert.match(v.message, /does not check write keys \(CLICKSTREAM_AUTH=none\)/);
    });
});
