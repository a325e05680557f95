import { describe, expect, test } from "vitest";
import { parseArgs, type ArgSpec } from "../../src/cli/args.ts";
import { UsageError } from "../../src/cli/usage-error.ts";

const SPEC: ArgSpec = {
  options: {
    config: { type: "string", short: "c" },
    override: { type: "string", multiple: true },
    verbose: { type: "boolean", short: "v" },
  },
  maxPositionals: 1,
};

function usageMessage(args: string[], spec: ArgSpec = SPEC): string {
  try {
    parseArgs(args, spec, "serve");
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).command).toBe("serve");
    return (error as Error).message;
  }
  throw new Error("parseArgs() accepted the arguments");
}

describe("parseArgs()", () => {
  test("reads --name value, --name=value, short aliases, flags and positionals", () => {
    const args = parseArgs(["-c", "a.properties", "--override=x=1", "--override", "y=2", "-v", "file"], SPEC, "serve");
    expect(args.string("config")).toBe("a.properties");
    expect(args.strings("override")).toEqual(["x=1", "y=2"]);
    expect(args.flag("verbose")).toBe(true);
    expect(args.positionals).toEqual(["file"]);
  });

  test("reports absent options as undefined, empty and false", () => {
    const args = parseArgs([], SPEC, "serve");
    expect(args.string("config")).toBeUndefined();
    expect(args.strings("override")).toEqual([]);
    expect(args.flag("verbose")).toBe(false);
  });

  test("takes the word after a string option as its value even when it starts with a dash", () => {
    expect(parseArgs(["--config", "-odd-name"], SPEC, "serve").string("config")).toBe("-odd-name");
  });

  test("treats everything after -- as positional", () => {
    expect(parseArgs(["--", "--config"], SPEC, "serve").positionals).toEqual(["--config"]);
  });

  test("refuses unknown options, missing values, values for flags, repeats and extra arguments", () => {
    expect(usageMessage(["--colour"])).toBe("unknown option --colour");
    expect(usageMessage(["--colour=red"])).toBe("unknown option --colour");
    expect(usageMessage(["-x"])).toBe("unknown option -x");
    expect(usageMessage(["--config"])).toBe("option --config needs a value");
    expect(usageMessage(["--verbose=yes"])).toBe("option --verbose takes no value");
    expect(usageMessage(["-c", "a", "--config", "b"])).toBe("option --config is given more than once");
    expect(usageMessage(["a", "b"])).toBe("unexpected argument b (at most 1 expected)");
    expect(usageMessage(["a"], { options: {} })).toBe("unexpected argument a");
  });

  test("does not take inherited object keys for options", () => {
    expect(usageMessage(["--constructor", "x"])).toBe("unknown option --constructor");
    expect(usageMessage(["--toString"])).toBe("unknown option --toString");
  });
});
