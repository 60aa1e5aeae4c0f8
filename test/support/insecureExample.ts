import * as path from "path";
import { PROJECT_ROOT, runProgramDir } from "../../offline/programs";
import type { RunResult } from "../../offline/runUnderMocks";

export const INSECURE_EXAMPLE = path.join(PROJECT_ROOT, "examples", "insecure");

let run: Promise<RunResult> | undefined;

/** examples/insecure under mocks, run once per test process (a program run is a child process). */
export function insecureExampleRun(): Promise<RunResult> {
    run ??= runProgramDir(INSECURE_EXAMPLE, "dev");
    return run;
}
