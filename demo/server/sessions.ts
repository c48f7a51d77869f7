// Sessions: the evaluation keys a client uploaded, as an Evaluator, under a random id. Bounded in
// number (least recently used evicted first) and in time (idle longer than the TTL expires).
// Evicted and expired sessions free their keys at once.

import { randomUUID } from "node:crypto";
import type { Evaluator } from "../../engine/evaluator/evaluator.js";

/** What a session holds; `dispose` frees its keys. */
export interface SessionKeys {
  readonly evaluator: Evaluator;
  readonly keyBytes: number;
  dispose(): void;
}

export interface SessionStoreOptions {
  /** Most sessions held at once (an integer >= 1). */
  readonly maxSessions: number;
  /** A session unused for this long (ms) expires. */
  readonly ttlMs: number;
  /** Clock in ms (default performance.now). */
  readonly now?: () => number;
  /** Told of every eviction and expiry. */
  readonly onDrop?: (id: string, why: "evicted" | "expired") => void;
}

interface Entry {
  readonly keys: SessionKeys;
  lastUsed: number;
}

export class SessionStore {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(private readonly options: SessionStoreOptions) {
    this.#now = options.now ?? (() => performance.now());
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Stores `keys` under a new id, evicting the least recently used session when full. */
  add(keys: SessionKeys): string {
    this.expire();
    while (this.#entries.size >= this.options.maxSessions) {
      const [oldest] = this.#entries.keys();
      this.drop(oldest!, "evicted");
    }
    const id = randomUUID();
    this.#entries.set(id, { keys, lastUsed: this.#now() });
    return id;
  }

  /** The session's keys (marking it used), or undefined for an unknown or expired id. */
  get(id: string): SessionKeys | undefined {
    this.expire();
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    entry.lastUsed = this.#now();
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return entry.keys;
  }

  /** Drops every session idle for longer than the TTL. */
  expire(): void {
    const now = this.#now();
    for (const [id, entry] of this.#entries) {
      if (now - entry.lastUsed > this.options.ttlMs) this.drop(id, "expired");
    }
  }

  /** Frees every session. */
  clear(): void {
    for (const entry of this.#entries.values()) entry.keys.dispose();
    this.#entries.clear();
  }

  private drop(id: string, why: "evicted" | "expired"): void {
    this.#entries.get(id)?.keys.dispose();
    this.#entries.delete(id);
    this.options.onDrop?.(id, why);
  }
}
