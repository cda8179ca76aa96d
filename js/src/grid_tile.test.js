import { describe, expect, it } from "vitest";
import { normalizeTile } from "./grid_tile.js";

describe("normalizeTile", () => {
  it("fills defaults", () => {
    expect(normalizeTile({ key: "a" }, 0)).toMatchObject({ key: "a", status: "queued", progress: -1, seed: null });
    expect(normalizeTile(/** @type {any} */ ({}), 3).key).toBe("tile-3");
  });
});
