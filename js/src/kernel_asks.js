// What a grid asked the kernel for, per tile, and what came back: the
// bookkeeping shared by tile previews (tile_previews.js) and playable copies
// (tile_compat.js). A question left unanswered (no kernel: a reopened
// notebook) is given up after a timeout, and the tile plays its original.

/** No word from the kernel after this long: there is none (ms). */
export const ANSWER_TIMEOUT_MS = 3000;
/** The kernel is making the file: wait this long for it at most (ms). */
export const MAKE_TIMEOUT_MS = 120000;

/**
 * @typedef {object} Timers
 * @property {(cb: () => void, ms: number) => any} [setTimer]
 * @property {(id: any) => void} [clearTimer]
 */

/**
 * @template Known  what the kernel answered for a tile
 */
export class KernelAsks {
  /**
   * @param {string} kind  the answers' type: `${kind}_pending`, then `${kind}` or `no_${kind}`
   * @param {() => void} onChange  an answer (or a timeout) changed what a tile should play
   * @param {Timers} [timers]
   */
  constructor(kind, onChange, timers = {}) {
    this.kind = kind;
    this.onChange = onChange;
    this.setTimer = timers.setTimer ?? ((cb, ms) => setTimeout(cb, ms));
    this.clearTimer = timers.clearTimer ?? ((id) => clearTimeout(id));
    /** @type {Map<string, Known>} */
    this.known = new Map();
    /** @type {Map<string, {timer: any, width: number, of: string}>} waiting for the kernel */
    this.asked = new Map();
    /** @type {Set<string>} tiles that play their original (nothing to be had) */
    this.failed = new Set();
  }

  /**
   * Wait for the kernel's answer about `key` (at most `ms`).
   * @protected
   * @param {string} key
   * @param {number} ms
   * @param {{width?: number, of: string}} about  what was asked (the original's src)
   */
  waitFor(key, ms, about) {
    const timer = this.setTimer(() => this.giveUp(key), ms);
    this.asked.set(key, { width: 0, ...about, timer });
  }

  /**
   * The kernel is on it: wait longer (`ms` from now).
   * @protected
   * @param {string} key
   * @param {number} ms
   */
  waitLonger(key, ms) {
    const waiting = this.asked.get(key);
    if (!waiting) return;
    this.clearTimer(waiting.timer);
    waiting.timer = this.setTimer(() => this.giveUp(key), ms);
  }

  /**
   * An answer came: stop waiting; returns what had been asked, if anything.
   * @protected
   * @param {string} key
   */
  answered(key) {
    const waiting = this.asked.get(key);
    if (waiting) this.clearTimer(waiting.timer);
    this.asked.delete(key);
    return waiting;
  }

  /**
   * No (more) answer: the tile plays its original unless something is known.
   * @protected
   * @param {string} key
   */
  giveUp(key) {
    this.asked.delete(key);
    if (!this.known.has(key)) this.failed.add(key);
    this.onChange();
  }

  /**
   * Take the kernel's answers; returns whether the message was one.
   * @param {any} msg
   * @returns {boolean}
   */
  handle(msg) {
    const key = typeof msg?.key === "string" ? msg.key : "";
    switch (msg?.type) {
      case `${this.kind}_pending`:
        this.waitLonger(key, MAKE_TIMEOUT_MS);
        return true;
      case this.kind: {
        const waiting = this.answered(key);
        if (!waiting) return true; // not (or no longer) asked for
        this.known.set(key, this.fromAnswer(msg, waiting));
        this.onChange();
        return true;
      }
      case `no_${this.kind}`:
        this.answered(key);
        this.giveUp(key);
        return true;
      default:
        return false;
    }
  }

  /**
   * What an answer says (subclasses read their fields).
   * @param {any} _msg
   * @param {{width: number, of: string}} _asked
   * @returns {Known}
   */
  fromAnswer(_msg, _asked) {
    throw new Error("KernelAsks.fromAnswer: not implemented");
  }

  /** Forget a tile (it went away, or its file changed). @param {string} key */
  forget(key) {
    this.answered(key);
    this.known.delete(key);
    this.failed.delete(key);
  }

  dispose() {
    for (const key of [...this.asked.keys()]) this.forget(key);
  }
}
