// ESM entry of sessionkeeper/redis: the same objects as the CommonJS entry.
import redis from './redis.js'

export const { redisSessionStorage, RedisSessionStorage } = redis
export default redis
