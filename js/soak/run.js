'use strict'
// `make soak`, Node side: SOAK_OPS (default 1,000,000) operations of soak/workload.js on the
// memory and the custom storage, printing resident memory every 50,000 operations. Fails when
// RSS after warm-up (the first 10 %) grows more than 10 %, or a handle or timer is left.
//   node --expose-gc soak/run.js

const { soak, TIMEOUT_MS } = require('./workload.js')

const OPS = Number(process.env.SOAK_OPS || 1_000_000)
const resources = () => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap')

async function main() {
  let failed = false
  for (const kind of ['memory', 'custom']) {
    const before = resources()
    const curve = []
    const started = Date.now()
    const counts = await soak({
      kind,
      ops: OPS,
      seed: Number(process.env.SOAK_SEED || 1),
      every: 50_000,
      sample: (done) => {
        global.gc?.()
        curve.push([done, process.memoryUsage().rss])
        console.log(`node ${kind} ${String(done).padStart(8)} ops  rss ${(curve.at(-1)[1] / 2 ** 20).toFixed(1)} MiB`)
      },
    })
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS * 4))
    const warm = curve.find(([done]) => done >= OPS / 10)[1]
    const peak = Math.max(...curve.filter(([done]) => done >= OPS / 10).map(([, rss]) => rss))
    const growth = (peak / warm - 1) * 100
    const left = resources().filter((r, i, all) => all.filter((x) => x === r).length > before.filter((x) => x === r).length)
    console.log(
      `node ${kind}: ${OPS} ops in ${((Date.now() - started) / 1000).toFixed(1)} s ${JSON.stringify(counts)}; ` +
        `rss after warm-up ${(warm / 2 ** 20).toFixed(1)} MiB, peak +${growth.toFixed(1)} %; left: ${JSON.stringify(left)}`,
    )
    if (growth > 10 || left.length) failed = true
  }
  if (failed) {
    console.error('soak failed: memory grew more than 10 % after warm-up, or handles were left')
    process.exit(1)
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
