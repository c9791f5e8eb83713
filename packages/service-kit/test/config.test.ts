import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, logLevelOf, parseEnvironment, serviceEnvironment } from "../src/config.ts";

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError, but parsing succeeded");
}

describe("parseEnvironment", () => {
  it("returns typed config with defaults filled in", () => {
    const config = parseEnvironment(serviceEnvironment, { PORT: "8080" });

    expect(config).toStrictEqual({
      HOST: "0.0.0.0",
      PORT: 8080,
      DEBUG: false,
      SHUTDOWN_TIMEOUT_MS: 10_000,
    });
    expect(config.LOG_LEVEL).toBeUndefined();
  });

  it("coerces and normalises the values it is given", () => {
    const config = parseEnvironment(serviceEnvironment, {
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "WARN",
      DEBUG: "yes",
      SHUTDOWN_TIMEOUT_MS: "2500",
    });

    expect(config).toStrictEqual({
      HOST: "127.0.0.1",
      PORT: 0,
      LOG_LEVEL: "warn",
      DEBUG: true,
      SHUTDOWN_TIMEOUT_MS: 2500,
    });
  });

  it("ignores variables the schema does not name", () => {
    const config = parseEnvironment(serviceEnvironment, { PORT: "1", PATH: "/usr/bin", HOME: "/root" });

    expect(config).not.toHaveProperty("PATH");
    expect(config).not.toHaveProperty("HOME");
  });

  it("throws a ConfigError naming each bad variable and its value", () => {
    const error = configErrorOf(() => parseEnvironment(serviceEnvironment, { PORT: "abc", LOG_LEVEL: "loud" }));

    expect(error.name).toBe("ConfigError");
    expect(error.message).toMatch(/^invalid configuration:/);
    expect(error.message).toContain('PORT="abc"');
    expect(error.message).toContain('LOG_LEVEL="loud"');
    expect(error.problems).toHaveLength(2);
  });

  it.each([
    ["a port above 65535", { PORT: "70000" }, "PORT"],
    ["a fractional port", { PORT: "80.5" }, "PORT"],
    ["a negative shutdown timeout", { PORT: "80", SHUTDOWN_TIMEOUT_MS: "-1" }, "SHUTDOWN_TIMEOUT_MS"],
    ["an unknown boolean spelling", { PORT: "80", DEBUG: "on" }, "DEBUG"],
  ])("rejects %s", (_what, env, variable) => {
    const error = configErrorOf(() => parseEnvironment(serviceEnvironment, env));

    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(new RegExp(`^${variable}=`));
  });

  it("names a required variable that is missing", () => {
    const error = configErrorOf(() => parseEnvironment(serviceEnvironment, {}));

    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^PORT: /);
  });

  it("counts empty strings as unset", () => {
    const config = parseEnvironment(serviceEnvironment, {
      PORT: "9000",
      HOST: "",
      LOG_LEVEL: "",
      DEBUG: "",
      SHUTDOWN_TIMEOUT_MS: "",
    });

    expect(config).toStrictEqual({ HOST: "0.0.0.0", PORT: 9000, DEBUG: false, SHUTDOWN_TIMEOUT_MS: 10_000 });
  });

  it("reports an empty required variable as missing, not as an invalid value", () => {
    const error = configErrorOf(() => parseEnvironment(serviceEnvironment, { PORT: "" }));

    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^PORT: /);
    expect(error.problems[0]).not.toContain('PORT=""');
  });

  it("works with a service's extended schema", () => {
    const schema = serviceEnvironment.extend({
      PORT: serviceEnvironment.shape.PORT.default(8002),
      DATABASE_URL: z.url(),
    });

    expect(parseEnvironment(schema, { DATABASE_URL: "postgres://db:5432/devtools" })).toMatchObject({
      PORT: 8002,
      DATABASE_URL: "postgres://db:5432/devtools",
    });
    expect(configErrorOf(() => parseEnvironment(schema, {})).message).toContain("DATABASE_URL");
  });
});

describe("logLevelOf", () => {
  const base = parseEnvironment(serviceEnvironment, { PORT: "1" });

  it("is info by default", () => {
    expect(logLevelOf(base)).toBe("info");
  });

  it("is debug under DEBUG", () => {
    expect(logLevelOf({ ...base, DEBUG: true })).toBe("debug");
  });

  it("prefers an explicit LOG_LEVEL over DEBUG", () => {
    expect(logLevelOf({ ...base, DEBUG: true, LOG_LEVEL: "error" })).toBe("error");
  });
});
