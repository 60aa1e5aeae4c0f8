import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../offline/programs";

/** The TypeScript block of README.md's "Use a component in your own stack" section. */
export function readmeLibrarySnippet(): string {
    const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
    const section = readme.split(/^## /m).find((s) => s.startsWith("Use a component in your own stack"));
    const code = section && /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(code, "README.md has no ```ts block under \"Use a component in your own stack\"");
    return code;
}
