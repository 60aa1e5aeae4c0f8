import { strict as assert } from "assert";
import { ProgramError } from "../../offline/programError";

describe("offline/programError: errors a person can act on", () => {
    const program = "/work/team-app";
    const requiredFrom = `    at Object.<anonymous> (${program}/index.ts:2:1)\n    at Module._compile (node:internal/modules/cjs/loader:1364:14)`;

    it("an unbuilt clickstream-pipeline (a file: install of a checkout) points at npm run build", () => {
        const message = `Cannot find module '/work/checkout/dist/components/index.js'\nRequire stack:\n- ${program}/index.ts\n- /somewhere/offline/programChild.ts`;
        const err = ProgramError.fromThrown({ name: "Error", code: "MODULE_NOT_FOUND", message, stack: `Error: ${message}\n${requiredFrom}` }, program);
        assert.equal(
            err.message,
            `${program}/index.ts:2: Cannot find module '/work/checkout/dist/components/index.js'. The clickstream-pipeline package at /work/checkout is not built: run "npm run build" there (a file: dependency links a checkout as it is; npm ci in the checkout builds it too).`,
        );
    });

    it("a package the program does not have says where to install it", () => {
        const message = `Cannot find module '@pulumi/random'\nRequire stack:\n- ${program}/index.ts`;
        const err = ProgramError.fromThrown({ name: "Error", code: "MODULE_NOT_FOUND", message, stack: `Error: ${message}\n${requiredFrom}` }, program);
        assert.match(err.message, /index\.ts:2: Cannot find module '@pulumi\/random'\. Install it in the program directory: \(cd \/work\/team-app && npm install @pulumi\/random\)\.$/);
    });

    it("a missing config value also names the offline --config", () => {
        const message = "Missing required configuration variable 'team-app:bucket'\n\tplease set a value using the command `pulumi config set team-app:bucket <value>`";
        const err = ProgramError.fromThrown({ name: "ConfigMissingError", message, stack: `Error: x\n${requiredFrom}` }, program);
        assert.match(err.message, /please set a value using the command `pulumi config set team-app:bucket <value>`\n  or, for this offline check only: --config team-app:bucket=<value>$/);
    });
});
