// ESM entry of sessionkeeper/postgres: the same objects as the CommonJS entry.
import postgres from './postgres.js'

export const { postgresSessionStorage, PostgresSessionStorage } = postgres
export default postgres
