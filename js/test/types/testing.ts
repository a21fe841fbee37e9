// `sessionkeeper/testing` as a TypeScript app uses it; `// @ts-expect-error` lines are misuse the
// declarations must reject (tsc fails when such a line type-checks).
import { it } from 'node:test'
import { MemorySessionStorage, Session, type SessionStorage } from 'sessionkeeper'
import { batteryOfTests, cases, dataCases, sessionArraysEqual, type RegisterTest } from 'sessionkeeper/testing'

const storage: SessionStorage = new MemorySessionStorage()
const register: RegisterTest = (name, run) => it(name, run)
batteryOfTests(() => storage)
batteryOfTests(async () => storage, { test: register, appData: false })
async function direct(): Promise<boolean> {
  for (const run of Object.values({ ...cases, ...dataCases })) await run(storage)
  return sessionArraysEqual([new Session({ id: 'a' })], await storage.findSessionsByShop('s'))
}
void direct
// @ts-expect-error the factory returns a storage, not a session
batteryOfTests(() => new Session({ id: 'a' }))
// @ts-expect-error appData is a boolean
batteryOfTests(() => storage, { appData: 'no' })
// @ts-expect-error the cases are read-only
cases['made-up'] = async () => {}
