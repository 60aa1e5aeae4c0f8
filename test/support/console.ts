/**
 * Runs `fn` with console.log captured: Lambda handlers log their structured lines for CloudWatch, and
 * a test asserts on them instead of printing them into mocha's output.
 */
export async function capturingConsoleLog<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
    const lines: string[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => {
        lines.push(args.map(String).join(" "));
    };
    try {
        return { result: await fn(), lines };
    } finally {
        console.log = original;
    }
}
