import { describe, expect, it } from "vitest";
import {
  formatCost,
  formatDuration,
  formatElapsed,
  formatProgress,
  formatSeed,
  formatTimecode,
  statusLabel,
  truncate,
} from "./format.js";

describe("formatElapsed", () => {
  it.each([
    [0, "0.0 s"],
    [4.26, "4.2 s"],
    [59.99, "59.9 s"],
    [65, "1:05"],
    [3723, "1:02:03"],
    [-3, "0.0 s"],
    [Number.NaN, "0.0 s"],
  ])("%s -> %s", (secs, text) => expect(formatElapsed(secs)).toBe(text));
});

describe("formatDuration", () => {
  it.each([
    [5, "5 s"],
    [2.5, "2.5 s"],
    [4.96, "5 s"],
    [90, "1:30"],
    [0, ""],
    [Number.NaN, ""],
  ])("%s -> %s", (secs, text) => expect(formatDuration(secs)).toBe(text));
});

describe("formatCost", () => {
  it.each([
    [0.5, "$0.50"],
    [12, "$12.00"],
    [0, "$0.00"],
    [0.004, "$0.0040"],
    [-1, ""],
    [null, ""],
    [undefined, ""],
    [Number.NaN, ""],
  ])("%s -> %s", (usd, text) => expect(formatCost(usd)).toBe(text));
});

describe("formatProgress", () => {
  it("shows percentages, estimates with a tilde", () => {
    expect(formatProgress(0.42, "api")).toBe("42%");
    expect(formatProgress(0.42, "estimate")).toBe("~42%");
    expect(formatProgress(1.4)).toBe("100%");
    expect(formatProgress(-1)).toBe("");
  });
});

describe("misc", () => {
  it("formats timecodes with centiseconds", () => {
    expect(formatTimecode(1.25)).toBe("0:01.25");
    expect(formatTimecode(75.5)).toBe("1:15.50");
  });
  it("truncates and flattens whitespace", () => {
    expect(truncate("a  b\nc", 10)).toBe("a b c");
    expect(truncate("abcdefghij", 5)).toBe("abcd…");
    expect(truncate(undefined, 5)).toBe("");
  });
  it("labels seeds and statuses", () => {
    expect(formatSeed(42)).toBe("seed 42");
    expect(formatSeed(null)).toBe("");
    expect(formatSeed(0)).toBe("seed 0");
    expect(statusLabel("processing")).toBe("Generating");
    expect(statusLabel("weird")).toBe("weird");
  });
});
