import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { CliIo, Command, CommandEntry } from "../../src/cli/command.ts";
import { COMMANDS } from "../../src/cli/commands/index.ts";
import { errorLine, runCli } from "../../src/cli/run-cli.ts";
import { UsageError } from "../../src/cli/usage-error.ts";
import { VERSION } from "../../src/cli/version.ts";
import { EdgelogError } from "../../src/core/errors.ts";

function capture(): CliIo & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return { out_, err_, out: (t) => void out_.push(t), err: (t) => void err_.push(t) };
}

const calls: (readonly string[])[] = [];
const echo: Command = {
  help: "Usage: edgelog echo [words]",
  async run(args, io) {
    calls.push(args);
    if (args[0] === "usage") throw new UsageError("unknown option --x", "echo");
    if (args[0] === "fail") throw new EdgelogError("INVALID_CONFIG", "Invalid value abc for configuration num.partitions\n    at stack");
    io.out(args.join(" "));
    return 0;
  },
};
const TABLE: CommandEntry[] = [
  { name: "echo", summary: "Print the words", load: async () => echo },
  { name: "other", summary: "Another command", load: async () => echo },
];

describe("runCli()", () => {
  test("dispatches to the command named first, with the words after it", async () => {
    const io = capture();
    expect(await runCli(["echo", "a", "b"], io, TABLE)).toBe(0);
    expect(io.out_).toEqual(["a b"]);
    expect(calls.at(-1)).toEqual(["a", "b"]);
  });

  test("lists every command in the program's help", async () => {
    const io = capture();
    expect(await runCli(["--help"], io, TABLE)).toBe(0);
    expect(io.out_[0]).toMatch(/^Usage: edgelog <command>/);
    expect(io.out_[0]).toContain("  echo   Print the words");
    expect(io.out_[0]).toContain("  other  Another command");
  });

  test("shows a command's help for `<command> --help`, `help <command>` and -h, without running it", async () => {
    for (const argv of [["echo", "--help"], ["help", "echo"], ["echo", "x", "-h"]]) {
      const io = capture();
      const before = calls.length;
      expect(await runCli(argv, io, TABLE)).toBe(0);
      expect(io.out_).toEqual(["Usage: edgelog echo [words]"]);
      expect(calls.length).toBe(before);
    }
  });

  test("passes --help after -- to the command as a word", async () => {
    const io = capture();
    expect(await runCli(["echo", "--", "--help"], io, TABLE)).toBe(0);
    expect(calls.at(-1)).toEqual(["--", "--help"]);
  });

  test("prints the version of package.json", async () => {
    const io = capture();
    expect(await runCli(["--version"], io, TABLE)).toBe(0);
    expect(io.out_).toEqual([`edgelog ${VERSION}`]);
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8")) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  test("answers an unknown command, an unknown program option or no command at all with status 2", async () => {
    let io = capture();
    expect(await runCli(["nope"], io, TABLE)).toBe(2);
    expect(io.err_).toEqual(["edgelog: unknown command nope (see 'edgelog --help')"]);
    io = capture();
    expect(await runCli(["--nope"], io, TABLE)).toBe(2);
    expect(io.err_).toEqual(["edgelog: unknown option --nope (see 'edgelog --help')"]);
    io = capture();
    expect(await runCli([], io, TABLE)).toBe(2);
    expect(io.err_[0]).toMatch(/^Usage: edgelog/);
  });

  test("prints a command's usage error as one line pointing at its help, with status 2", async () => {
    const io = capture();
    expect(await runCli(["echo", "usage"], io, TABLE)).toBe(2);
    expect(io.err_).toEqual(["edgelog echo: unknown option --x (see 'edgelog echo --help')"]);
  });

  test("prints any other failure as one ERROR line without a stack, with status 1", async () => {
    const io = capture();
    expect(await runCli(["echo", "fail"], io, TABLE)).toBe(1);
    expect(io.err_).toEqual(["ERROR Invalid value abc for configuration num.partitions"]);
    expect(errorLine("plain")).toBe("ERROR plain");
    expect(errorLine(new Error(""))).toBe("ERROR Unknown error");
  });

  test("registers serve in the real command table", async () => {
    expect(COMMANDS.map((c) => c.name)).toContain("serve");
    const serve = await COMMANDS.find((c) => c.name === "serve")!.load();
    expect(serve.help).toMatch(/^Usage: edgelog serve/);
  });
});
