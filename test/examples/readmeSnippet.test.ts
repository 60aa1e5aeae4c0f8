import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FirehoseLake } from "../../components";
import { checkProgram } from "../../offline/policyHarness";
import { PROJECT_ROOT } from "../../offline/programs";
import { runUnderMocks } from "../../offline/runUnderMocks";
import { readmeLibrarySnippet } from "../support/readme";

describe("README: the library snippet a product team pastes", () => {
    it("imports from the package and passes every policy of the pack", async () => {
        const code = readmeLibrarySnippet();
        assert.match(code, /from "clickstream-pipeline";/);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clickstream-readme-"));
        try {
            // The package name points at this checkout's components, as an install of it would.
            const file = path.join(dir, "index.ts");
            fs.writeFileSync(file, code.replace(/from "clickstream-pipeline"/g, `from ${JSON.stringify(path.join(PROJECT_ROOT, "components"))}`));
            fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
            const run = await runUnderMocks({ project: "checkout", stack: "dev", program: () => ({ ...require(file) }) });
            assert.ok(run.resources.some((r) => r.type === "clickstream:lake:FirehoseLake"));
            assert.ok(run.outputs.url);
            assert.deepEqual((await checkProgram(run)).map((v) => `${v.policy} ${v.resource}: ${v.message}`), []);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("a lone FirehoseLake's violations name the argument and the component that fix them", async () => {
        const run = await runUnderMocks({ stack: "dev", program: () => ({ bucket: new FirehoseLake("lonely", {}).lakeBucketName }) });
        const violations = await checkProgram(run);
        assert.deepEqual(violations.map((v) => v.policy).sort(), ["clickstream-glue-catalog-encryption", "clickstream-glue-pii-columns-tagged"]);
        const message = (policy: string) => violations.find((v) => v.policy === policy)!.message;
        assert.match(message("clickstream-glue-catalog-encryption"), /Fix: pass manageCatalogEncryption: true to FirehoseLake "lonely"/);
        assert.match(message("clickstream-glue-pii-columns-tagged"), /Fix: add the LakeFormationGrants component over FirehoseLake "lonely": new LakeFormationGrants\("lonely", \{ databaseName: lake\.databaseName, tableNames: \[lake\.tableName\], lakeBucketArn: lake\.lakeBucketArn, admins: /);
    });
});
