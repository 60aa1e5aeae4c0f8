/**
 * glibc malloc settings for the process that runs the transform (the transform Lambda's environment,
 * set by FirehoseLake; the transform benchmarks re-run themselves with it).
 *
 * Why: the response's base64 (5.5 MB for a 3 MB batch) is one string Node allocates with malloc
 * outside V8's heap (recordData.ts). Above glibc's dynamic mmap threshold (at most 32 MiB, usually far
 * lower) every such allocation is a fresh mmap, and returning it unmaps it: each batch first-touches
 * ~1,400 new pages. Where a page fault is expensive (~17 us on the Firecracker VM the benchmarks ran
 * on) that was ~20 ms of a ~80 ms batch. With a 32 MiB mmap threshold the string comes from malloc's
 * heap instead, and with a 1 GiB trim threshold the freed memory stays there for the next batch: the
 * transform alone measured ~0-10 faults per batch instead of ~1,400 (docs/transform.md, Performance).
 * The memory kept is what the process needed at its peak (a few responses until V8 collects their
 * strings), well inside the function's memory size.
 *
 * glibc reads GLIBC_TUNABLES at process start (glibc >= 2.26; the Lambda Node.js runtimes run on
 * Amazon Linux 2023, glibc 2.34). That AWS Lambda passes a function's environment variables to the
 * runtime process so that glibc sees this one is documented Lambda behaviour, but it has NOT been
 * verified on AWS here (no account): measured on the development machine only.
 */

/** The variable glibc reads its tunables from. */
export const ENV_GLIBC_TUNABLES = "GLIBC_TUNABLES";

/** mmap threshold 32 MiB (glibc's largest dynamic value), trim threshold 1 GiB. */
export const TRANSFORM_GLIBC_TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824";
