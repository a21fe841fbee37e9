// ESM entry of sessionkeeper/express: the same function as the CommonJS entry.
import express from './express.js'

export const { sessionMiddleware } = express
export default express
