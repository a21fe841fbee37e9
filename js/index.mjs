// ESM entry: the same objects as the CommonJS entry, so `instanceof` agrees across both.
import sessionkeeper from './index.js'

export const {
  Session,
  CustomSessionStorage,
  MemorySessionStorage,
  FileSessionStorage,
  SessionStorageError,
  ErrorCode,
  SessionManager,
  ManagedSession,
  cookieStorage,
} = sessionkeeper
export default sessionkeeper
