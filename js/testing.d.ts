// Types of `sessionkeeper/testing`, the conformance battery for SessionStorage implementations.
// The cases are data (shared with the Python kit, `sessionkeeper.testing`, under the same names).
import type { Session, SessionStorage } from './index.js'

/** How the battery registers a case; `node:test`'s `test` by default (Jest/Vitest `it` fits too). */
export type RegisterTest = (name: string, run: () => Promise<void>) => unknown

export interface BatteryOptions {
  test?: RegisterTest
  /** `false` leaves out the cases about app `data` (for stores of Shopify's fields only). */
  appData?: boolean
}

/** Registers every case against the storage `storageFactory` resolves to. */
export declare function batteryOfTests(
  storageFactory: () => SessionStorage | Promise<SessionStorage>,
  options?: BatteryOptions,
): void

/**
 * The cases by kebab-case name (`'can-store-and-delete-all-kinds-of-sessions'`, ...), in the order
 * they run, to run them without a test runner. A failing case rejects with an `AssertionError`
 * naming the case and the step.
 */
export declare const cases: Readonly<Record<string, (storage: SessionStorage) => Promise<void>>>

/** The cases about app `data`. */
export declare const dataCases: Readonly<Record<string, (storage: SessionStorage) => Promise<void>>>

/** Every session of `a` equals one of `b`, and the lengths match (Shopify's helper). */
export declare function sessionArraysEqual(a: readonly Session[], b: readonly Session[]): boolean
