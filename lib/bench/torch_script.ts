/**
 * Runs bench/torch_step.py (the PyTorch/NumPy side of the CPU comparisons) with `args` and parses
 * its stdout, one JSON record a line. Throws with the script's stderr when it fails to start or
 * exits non-zero, and names the line that is not JSON.
 */
export async function runTorchStep(
  args: string[],
  python = "python3",
): Promise<Record<string, unknown>[]> {
  const script = new URL("../../bench/torch_step.py", import.meta.url).pathname;
  const what = `${script} ${args.join(" ")}`;
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(python, {
      args: [script, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (err) {
    throw new Error(`cannot run ${python} ${script}: ${(err as Error).message}`);
  }
  if (!out.success) {
    throw new Error(
      `${what} failed (exit ${out.code}):\n` +
        new TextDecoder().decode(out.stderr).slice(-2000) +
        "\n(CPU PyTorch: pip install torch --break-system-packages)",
    );
  }
  const lines = new TextDecoder().decode(out.stdout).split("\n").filter((l) => l.trim());
  return lines.map((line, i) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`${what}: stdout line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
    }
  });
}
