import { createClient, createCluster } from 'redis'
import { Pool } from 'pg'
import { Session, type SessionStorage } from 'sessionkeeper'
import { redisSessionStorage, RedisSessionStorage } from 'sessionkeeper/redis'
import { postgresSessionStorage } from 'sessionkeeper/postgres'

const a: RedisSessionStorage = redisSessionStorage(createClient(), { keyPrefix: 'x:' })
const b = redisSessionStorage(createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7101' }] }))
const c = redisSessionStorage('redis://127.0.0.1:6379')
const d = postgresSessionStorage(new Pool(), { table: 't' })
const e = postgresSessionStorage('postgres://x')
async function f(): Promise<void> {
  const s: Session | undefined = await a.loadSession('x')
  await b.storeSession({ id: 'a' })
  await c.close(); await d.close(); await e.close()
  await using g = redisSessionStorage('redis://127.0.0.1:6379')
  await using h = postgresSessionStorage('postgres://x')
  const storage: SessionStorage = g
  await storage.close()
  await h[Symbol.asyncDispose]()
  console.log(s)
}
void f
