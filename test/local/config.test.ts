import { strict as assert } from "assert";
import { promises as fsp } from "fs";
import * as os from "os";
import * as path from "path";
import { loadLocalConfig, LocalConfigError } from "../../local/config";
import { STACK_WINDOW_SPECS } from "../../stacks/defaults";

describe("clickstream local configuration", () => {
    let dir: string;
    before(async () => {
        dir = await fsp.mkdtemp(path.join(os.tmpdir(), "local-config-"));
    });
    after(async () => {
        await fsp.rm(dir, { recursive: true, force: true });
    });
    const stackFile = async (name: string, yaml: string) => {
        const file = path.join(dir, name);
        await fsp.writeFile(file, yaml);
        return file;
    };
    const fails = (fn: () => unknown, ...parts: RegExp[]) => {
        assert.throws(fn, (e: Error) => {
            assert.ok(e instanceof LocalConfigError || /Fix:/.test(e.message), e.message);
            for (const p of parts) assert.match(e.message, p);
            return true;
        });
    };

    it("mirrors the repository's dev stack by default: its CORS origins, its window specs, Firehose's buffering", () => {
        const cfg = loadLocalConfig({}, {}, dir);
        assert.equal(cfg.host, "127.0.0.1");
        assert.equal(cfg.port, 8080);
        assert.equal(cfg.lakeDir, path.join(dir, "lake"));
        assert.deepEqual(cfg.corsAllowedOrigins, ["http://localhost:3000"]);
        assert.deepEqual(cfg.windowSpecs.map((s) => s.name), STACK_WINDOW_SPECS.map((s) => s.name));
        assert.equal(cfg.bufferIntervalSeconds, 60);
        assert.equal(cfg.bufferSizeMiB, 64);
        assert.deepEqual(cfg.apiKeys, []);
        assert.match(cfg.stackFile ?? "", /Pulumi\.dev\.yaml$/);
    });

    it("lets environment variables override the stack file, and flags override both", () => {
        const env = { PORT: "9999", LAKE_DIR: "elsewhere", BUFFER_INTERVAL_SECONDS: "2.5", CORS_ALLOWED_ORIGINS: "http://localhost:5173" };
        const cfg = loadLocalConfig({}, env, dir);
        assert.equal(cfg.port, 9999);
        assert.equal(cfg.lakeDir, path.join(dir, "elsewhere"));
        assert.equal(cfg.bufferIntervalSeconds, 2.5);
        assert.deepEqual(cfg.corsAllowedOrigins, ["http://localhost:5173"]);
        const flagged = loadLocalConfig({ port: "7000", lakeDir: "/tmp/x-lake" }, env, dir);
        assert.equal(flagged.port, 7000);
        assert.equal(flagged.lakeDir, "/tmp/x-lake");
    });

    it("names the variable or flag and the fix for bad values", () => {
        fails(() => loadLocalConfig({}, { PORT: "eighty" }, dir), /^PORT must be a whole number from 1 to 65535 \(got "eighty"\)/, /Fix: PORT=8080/);
        fails(() => loadLocalConfig({ port: "70000" }, {}, dir), /^--port must be/, /Fix: --port 8080/);
        fails(() => loadLocalConfig({}, { BUFFER_SIZE_MIB: "0" }, dir), /^BUFFER_SIZE_MIB must be a number from 1 to 128/);
        fails(() => loadLocalConfig({}, { CORS_ALLOWED_ORIGINS: "localhost:3000/app" }, dir), /^CORS_ALLOWED_ORIGINS .*is not an origin/);
        fails(() => loadLocalConfig({}, { API_KEYS: "short" }, dir), /^API_KEYS holds a key of 5 characters/, /20-128/);
        fails(() => loadLocalConfig({}, { ALERT_WEBHOOK_URL: "ftp://x" }, dir), /^ALERT_WEBHOOK_URL must be an http\(s\):\/\/ URL/);
        fails(() => loadLocalConfig({ stackFile: "missing.yaml" }, {}, dir), /^--stack-file names .*missing\.yaml, which does not exist/);
    });

    it("checks the stack file with the stacks' own rules, naming the key and the pulumi config fix", async () => {
        const file = await stackFile("bad-cors.yaml", "config:\n  clickstream:corsAllowedOrigins:\n    - \"*\"\n");
        fails(() => loadLocalConfig({ stackFile: file }, {}, dir), /clickstream:corsAllowedOrigins\[0\] must list origins explicitly/, /Fix: pulumi config set clickstream:corsAllowedOrigins/, new RegExp(file.replace(/[.]/g, "\\.")));
        const shards = await stackFile("bad-shards.yaml", "config:\n  clickstream:streamShardCount: lots\n");
        fails(() => loadLocalConfig({ stackFile: shards }, {}, dir), /clickstream:streamShardCount must be a whole number from 0 to 500 \(got "lots"\)/);
        const yaml = await stackFile("broken.yaml", "config: [unclosed\n");
        fails(() => loadLocalConfig({ stackFile: yaml }, {}, dir), /is not valid YAML/);
    });

    it("requires key values when the stack requires API keys, and has no windows for a firehose-mode stack", async () => {
        const keys = await stackFile("keys.yaml", "config:\n  clickstream:requireApiKeys: true\n  clickstream:apiKeyNames:\n    - web\n");
        fails(() => loadLocalConfig({ stackFile: keys }, {}, dir), /clickstream:requireApiKeys is true \(keys web\)/, /API_KEYS=/);
        const cfg = loadLocalConfig({ stackFile: keys }, { API_KEYS: "local-web-key-0123456789" }, dir);
        assert.deepEqual(cfg.apiKeys, ["local-web-key-0123456789"]);
        const firehose = await stackFile("firehose.yaml", "config:\n  clickstream:ingestMode: firehose\n");
        assert.deepEqual(loadLocalConfig({ stackFile: firehose }, {}, dir).windowSpecs, []);
    });

    it("validates a transform config file with the transform's own rules", async () => {
        const good = await stackFile("pii.json", JSON.stringify({ pii: { pseudonymize: ["user_id", "properties.account"] } }));
        assert.deepEqual(loadLocalConfig({ transformConfig: good }, {}, dir).transformConfig, { pii: { pseudonymize: ["user_id", "properties.account"] } });
        const bad = await stackFile("bad-pii.json", JSON.stringify({ pii: { redactPatterns: ["(unclosed"] } }));
        fails(() => loadLocalConfig({}, { TRANSFORM_CONFIG: bad }, dir), /^TRANSFORM_CONFIG .*bad-pii\.json: .*redactPatterns/);
        const notJson = await stackFile("not.json", "{");
        fails(() => loadLocalConfig({ transformConfig: notJson }, {}, dir), /^--transform-config .*not\.json is not JSON/);
    });
});
