/** Bad input to the user-facing scripts: exit code 2, a message naming the flag, nothing written. */
import assert from "node:assert/strict";
import { runDeno } from "../helpers.ts";

function run(script: string, args: string[]) {
  return runDeno(["run", "-A", `scripts/${script}`, ...args]);
}

const cases: [string, string[], RegExp][] = [
  ["demo.ts", ["--bogus"], /--bogus/],
  ["demo.ts", ["--width", "12.5"], /--width/],
  ["demo.ts", ["--sigma", "-1"], /--sigma/],
  ["demo.ts", ["extra"], /unexpected argument "extra"/],
  ["train.ts", ["--bogus", "1"], /--bogus/],
  ["train.ts", ["--lr", "fast"], /--lr/],
  ["train.ts", ["--dataset", "imagenet"], /--dataset: "imagenet" is not one of/],
  ["train.ts", ["--model", "resnet"], /--model: "resnet" is not one of fcn, vgg11/],
  ["train.ts", ["--model", "vgg11", "--depth", "3"], /depth: vgg11 has 9 weight layers/],
  ["train.ts", ["--noise-type", "IV"], /--noise-type: "IV"/],
  ["train.ts", ["--alpha", "2.5"], /--alpha: 2\.5 must be in \(0, 2\]/],
  ["prune.ts", [], /give exactly one run key/],
  ["prune.ts", ["abc", "--error", "2"], /--error/],
  ["prune.ts", ["abc", "--fractions", "0.1,x"], /--fractions/],
  ["prune.ts", ["abc", "--bogus"], /--bogus/],
];

Deno.test("demo, train and prune: bad flags exit 2 naming the flag and write nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const [script, args, re] of cases) {
      const store = `${dir}/store`;
      const extra = script === "demo.ts" ? ["--out", `${dir}/figures`] : [];
      const { code, stderr } = await run(script, [...args, "--store", store, ...extra]);
      assert.equal(code, 2, `${script} ${args.join(" ")}: exit ${code}\n${stderr}`);
      assert.match(stderr, re, `${script} ${args.join(" ")}`);
      assert.deepEqual([...Deno.readDirSync(dir)], [], `${script} ${args.join(" ")} wrote files`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
