import { loadBundledTransform } from "./loadTransform";
import { BENCH_PII_KEY, buildBatch } from "./transformBatch";
const t = process.env.EXP_SRC ? require("../dataplane/transform") : loadBundledTransform();
const { event } = buildBatch();
for (let i = 0; i < 5; i++) t.createTransformer(undefined, BENCH_PII_KEY).firehose(event);
const { Session } = require("inspector");
const s = new Session(); s.connect();
s.post("Profiler.enable"); s.post("Profiler.setSamplingInterval", { interval: 100 });
s.post("Profiler.start", () => {
  const t0 = process.cpuUsage();
  for (let i = 0; i < 40; i++) t.createTransformer(undefined, BENCH_PII_KEY).firehose(event);
  const c = process.cpuUsage(t0); console.log("cpu ms/batch", ((c.user + c.system) / 1000 / 40).toFixed(1));
  s.post("Profiler.stop", (err: any, { profile }: any) => { require("fs").writeFileSync("/tmp/lead/t.cpuprofile", JSON.stringify(profile)); });
});
